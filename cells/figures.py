"""A figure with its base: a share ("6/4.749") shown beside its percentage, and whether that percentage rests on
a small base (issue #15, item 6). A display rule, not a rule of the domain: a percentage computed over fewer than
SMALL_BASE_MIN items, or over less than SMALL_BASE_SHARE of the population it speaks for, is shown with a
"small base" warning (templates/includes/figure.html)."""

from dataclasses import dataclass

SMALL_BASE_MIN = 30  # fewer items than this: a single case moves the percentage by several points
SMALL_BASE_SHARE = 0.10  # the base covers less than a tenth of the population the figure speaks for


@dataclass(frozen=True)
class Figure:
    """`part` of `base` (the percentage), out of `population` when the base is a part of a larger whole (e.g.
    members rated among members on the roll); `target` the percentage aimed at, if any."""

    part: int
    base: int
    population: int | None = None
    target: float | None = None

    @property
    def pct(self) -> float | None:
        return round(100 * self.part / self.base, 1) if self.base else None

    @property
    def small_base(self) -> bool:
        """The percentage exists but rests on too few items, or on too small a share of the population."""
        if not self.base:
            return False
        if self.base < SMALL_BASE_MIN:
            return True
        return bool(self.population) and self.base < SMALL_BASE_SHARE * self.population

    @property
    def covers_population(self) -> bool:
        """The base is a part of a larger population, to be shown too ("rated 6 of 4.749")."""
        return self.population is not None and self.population != self.base

    @property
    def target_met(self) -> bool | None:
        if self.target is None or self.pct is None:
            return None
        return self.pct >= self.target

    @property
    def min_base(self) -> int:
        return SMALL_BASE_MIN

    @property
    def min_share_pct(self) -> int:
        return round(100 * SMALL_BASE_SHARE)
