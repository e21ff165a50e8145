"""What the evaluation demo reads once from the database: the tree and each organisation's quota unit (its
grassroots organisation), the members and the cells' rolls, the years with a meeting log, and, cached by year, the
rule parameters, the programmes' criteria sets and the cells' figures (evaluations.metrics)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from cells.models import Organization
from criteria.models import CriteriaSet
from demo.grading import half, seeded_rng
from demo.rolls import cell_rolls
from evaluations import metrics as metric_keys
from evaluations import rules
from evaluations.programmes import services as programme_services
from evaluations.review import quota
from evaluations.review import services as review_services
from meetings.models import Meeting
from members.models import Member

Kind = Organization.Kind


@dataclass
class MemberInfo:
    pk: int
    organization_id: int
    status: str
    admitted_on: datetime.date | None
    is_civil_servant: bool
    gender: str
    date_of_birth: datetime.date | None
    has_user: bool
    quality: float = 0.5


class EvaluationContext:
    def __init__(self, *, root: Organization, seed: int, today: datetime.date):
        self.root, self.seed, self.today = root, seed, today
        self.organizations = {
            o.pk: o
            for o in Organization.objects.filter(path__startswith=root.path)
            .exclude(pk=root.pk)
            .filter(dissolved_on__isnull=True)
            .order_by("path")
        }
        # The quota unit of each organisation: itself for a grassroots organisation, else the nearest one above
        # (quota.grassroots_of, once per organisation below grassroots level).
        self.grassroots: dict[int, Organization] = {}
        for organization in self.organizations.values():
            if organization.is_grassroots:
                self.grassroots[organization.pk] = organization
            elif organization.kind != Kind.UPPER:
                found = quota.grassroots_of(organization)
                if found is not None:
                    self.grassroots[organization.pk] = found
        self.cells = [o for o in self.organizations.values() if o.is_cell and o.pk in self.grassroots]
        self.org_quality = {pk: seeded_rng(seed, "quality", o.code).random() for pk, o in self.organizations.items()}
        self.members = {}
        for row in (
            Member.objects.filter(organization__path__startswith=root.path)
            .order_by("pk")
            .values_list(
                "pk",
                "organization_id",
                "status",
                "admitted_on",
                "is_civil_servant",
                "gender",
                "date_of_birth",
                "user_id",
            )
        ):
            info = MemberInfo(*row[:7], has_user=row[7] is not None)
            info.quality = seeded_rng(seed, "member-quality", info.pk).random()
            self.members[info.pk] = info
        self.rolls = cell_rolls(root)  # {cell pk: [roll entries]}, from the members' history
        self.meeting_years = set(
            Meeting.objects.filter(organization__path__startswith=root.path, status=Meeting.Status.FINAL)
            .order_by()
            .values_list("period_year", flat=True)
            .distinct()
        )
        self.params_by_year: dict[int, dict] = {}
        self._programme_sets: dict[tuple, CriteriaSet | None] = {}
        self._snapshots: dict[int, dict] = {}
        self._metrics: dict[int, dict] = {}

    def params(self, year: int) -> dict:
        if year not in self.params_by_year:
            self.params_by_year[year] = rules.parameters_snapshot(review_services.parameter_set_for_year(year))
        return self.params_by_year[year]

    def copy_of(self, organization: Organization) -> str:
        """Which copy of the grassroots level (`--scale`) the organisation belongs to: "1", "2", ..."""
        return self.grassroots[organization.pk].code.partition("-S")[2] or "1"

    def subordinate(self, organization: Organization) -> bool:
        """Counts in its grassroots organisation's quota for subordinate organisations."""
        return not organization.is_grassroots and organization.pk in self.grassroots

    def roll_on(self, day: datetime.date) -> dict[int, list[tuple[int, str]]]:
        """{cell pk: [(member pk, status)]} of the members on each cell's roll that day."""
        result = {}
        for cell in self.cells:
            entries = []
            for entry in self.rolls.get(cell.pk, []):
                status = entry.status_on(day)
                if status is not None and entry.member_id in self.members:
                    entries.append((entry.member_id, status))
            result[cell.pk] = sorted(entries)
        return result

    def programme_set(self, organization: Organization, programme: str, year: int) -> CriteriaSet | None:
        key = (organization.kind, organization.unit_type, programme, year)
        if key not in self._programme_sets:
            self._programme_sets[key] = programme_services.programme_criteria_set(
                organization=organization, programme=programme, year=year
            )
        return self._programme_sets[key]

    def snapshot(self, criteria_set: CriteriaSet | None) -> dict:
        if criteria_set is None:
            return {}
        if criteria_set.pk not in self._snapshots:
            self._snapshots[criteria_set.pk] = review_services.criteria_snapshot(criteria_set)
        return self._snapshots[criteria_set.pk]

    def metrics(self, year: int, *, refresh: bool = False) -> dict[int, dict]:
        """metrics_for every cell; the meeting figures of a year before the meeting log are those of the paper
        records (a full year, attendance 95–99%)."""
        if refresh or year not in self._metrics:
            figures = metric_keys.metrics_for(organizations=self.cells, year=year)
            if year not in self.meeting_years:
                for cell in self.cells:
                    figures[cell.pk].update(self.paper_meetings(cell, year))
            self._metrics[year] = figures
        return self._metrics[year]

    def paper_meetings(self, cell: Organization, year: int) -> dict:
        rng = seeded_rng(self.seed, "paper-meetings", year, cell.code)
        return {
            metric_keys.MEETINGS_HELD: Decimal(12),
            metric_keys.THEMATIC_QUARTERS: Decimal(4),
            metric_keys.ATTENDANCE_RATE: half(rng.uniform(95.5, 99.0)),
            metric_keys.MEETINGS_GOOD: Decimal(rng.randint(8, 12)),
        }
