from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegulationDocument(models.Model):
    """A Party document that rules are based on (Vietnamese UI term: "Văn bản"), e.g. "366-QĐ/TW"."""

    class DocType(models.TextChoices):
        RESOLUTION = "NGHI_QUYET", _("Resolution")
        DIRECTIVE = "CHI_THI", _("Directive")
        REGULATION = "QUY_DINH", _("Regulation")
        GUIDANCE = "HUONG_DAN", _("Guidance")
        CONCLUSION = "KET_LUAN", _("Conclusion")
        PLAN = "KE_HOACH", _("Plan")
        SCHEME = "DE_AN", _("Scheme")
        PROGRAMME = "CHUONG_TRINH", _("Action programme")
        OFFICIAL_LETTER = "CONG_VAN", _("Official letter")

    number = models.CharField(_("number"), max_length=50, unique=True)
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocType.choices)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("regulation document")
        verbose_name_plural = _("regulation documents")

    def __str__(self) -> str:
        return self.number


class RuleParameterSet(models.Model):
    """The thresholds in force for a period (Vietnamese UI term: "Bộ tham số quy định").

    Rules read their numbers from here, never from constants in code: `criteria.selectors.parameters_on()`
    returns the set valid on a date, with `DEFAULTS` filling keys a set does not name.
    """

    # Keys every rule may read, with the value used when a set does not name it.
    DEFAULTS = {
        # Structure (rule B19)
        "min_full_members_per_cell": 3,
        "chi_uy_required_from_full_members": 9,
        "grassroots_cell_max_members": 30,
        "grassroots_committee_min_members": 30,
        # Meetings (B1-B9)
        "min_meeting_minutes": 90,
        "min_combined_meeting_minutes": 120,
        "quality_attendance_pct": 85,
        "max_consecutive_excused_absences": 3,
        "kpi_attendance_pct": 95,
        "yearly_good_min_meetings": 7,
        # D2: the yearly meeting-quality levels below Tốt have no source; the committee sets them (see
        # COMMITTEE_SET). Khá: no regular meeting of the year rated below this level; otherwise Trung bình.
        "yearly_fair_lowest_meeting_rating": "TRUNG_BINH",
        # D6 (B1, B2): a finalised meeting counts for its month when held in that month or at most this many days
        # after it (later: "sinh hoạt bù", shown but not counted); a month is not missing before its end + these.
        "late_grace_days": 10,
        # D7 (B3): the committee's exception for small cells: a cell with at most this many members on the roll
        # needs only small_cell_min_meeting_minutes (0: no exception).
        "small_cell_max_members": 0,
        "small_cell_min_meeting_minutes": 60,
        # D8 (B5): absent without a valid reason from the meetings of this many months of a year → the cell is
        # prompted to consider a xóa tên review (Điều lệ Điều 8); never an automatic status change.
        "unexcused_absence_months_for_removal_review": 3,
        # Members
        "probation_months": 12,
        "probation_alert_days": 30,
        "new_member_min_months": 6,
        "sick_leave_cap_months": 3,
        "transfer_working_days": 60,
        "letter_working_days": 30,
        # Yearly classification
        "htxs_quota_pct_of_htt": 20,
        "score_thresholds": {"HTXSNV": 90, "HTTNV": 70, "HTNV": 50},
        # Collective conditions (QĐ 366 Điều 11; QĐ 124): HTXSNV needs this share of tasks exceeded...
        "htxs_min_tasks_exceeded_pct": 30,
        # ...HTNV allows at most this share of tasks late...
        "htnv_max_tasks_late_pct": 20,
        # ...and more than this share of subordinate units disciplined makes the collective KHTNV.
        "khtnv_disciplined_units_pct": 20,
        # B13/D5: a member of the leading collective disciplined at this form or heavier makes the collective KHTNV
        # (HD 21: "cảnh cáo" or above); a lighter form only bars HTXSNV (QĐ 366 Điều 11).
        "leadership_discipline_khtnv_min_form": "CANH_CAO",
        # D5: overriding a discipline cap needs a written justification of at least this many characters.
        "cap_override_min_chars": 20,
        "org_min_months_for_classification": 6,
        # Model-cell eligibility (B21): ratings of the reference years before the phase.
        "model_cell_reference_years": 2,
        "model_cell_target_pct": 4,
        # D4: eligibility to register, per programme: "B21" (two reference years, ≥ HTTNV and one HTXSNV) or
        # "NONE" (the upper committee chooses; the seed's bốn tốt pilot).
        "programme_eligibility": {"KIEU_MAU": "B21", "BON_TOT": "NONE"},
        # D9 (B25): a recognised Dân vận khéo model scores within this range.
        "dan_van_kheo_min_score": 75,
        "dan_van_kheo_max_score": 100,
        # Warn when more than this share of a cell's members is KHTNV (B17, legacy).
        "khtnv_members_warning_pct": 50,
        # Bloc targets for members' grades (seed 003: > 80% HTTNV or better, 15% HTXSNV).
        "target_members_good_or_better_pct": 80,
        "target_members_excellent_pct": 15,
    }

    # Keys with no source document behind their value: the committee sets them (D2), and every page that applies
    # one says so ("do cấp ủy quy định").
    COMMITTEE_SET = frozenset(
        {
            "yearly_fair_lowest_meeting_rating",
            "late_grace_days",
            "small_cell_max_members",
            "small_cell_min_meeting_minutes",
            "kpi_attendance_pct",
            "dan_van_kheo_min_score",
            "dan_van_kheo_max_score",
            "cap_override_min_chars",
        }
    )

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    basis = models.ManyToManyField(
        RegulationDocument, blank=True, related_name="parameter_sets", verbose_name=_("basis")
    )
    values = models.JSONField(_("values"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("rule parameter set")
        verbose_name_plural = _("rule parameter sets")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity cannot be before its start.")})
        unknown = set(self.values or {}) - set(self.DEFAULTS)
        if unknown:
            raise ValidationError({"values": _("Unknown parameters: %(keys)s") % {"keys": ", ".join(sorted(unknown))}})

    def get(self, key: str):
        if key in (self.values or {}):
            return self.values[key]
        return self.DEFAULTS[key]


class Grade(models.TextChoices):
    """The four classification levels (QĐ 124 / QĐ 366), the same for collectives and members.

    The rule vocabulary of the criteria sets (a criterion caps the grade with one of them) and of the evaluations.
    """

    EXCELLENT = "HTXSNV", _("Excellently fulfilled duties")
    GOOD = "HTTNV", _("Well fulfilled duties")
    FULFILLED = "HTNV", _("Fulfilled duties")
    NOT_FULFILLED = "KHTNV", _("Did not fulfil duties")


#
# Criteria sets (bộ tiêu chí)
#


class CriteriaSet(models.Model):
    """A versioned set of criteria for one programme and unit types (Vietnamese UI term: "Bộ tiêu chí").

    A set is a tree of groups and criteria. Once an evaluation uses it, it is frozen (`frozen_at`): changes go
    into a copy carried forward, and every evaluation keeps a snapshot of the set it was assessed against.
    """

    class Programme(models.TextChoices):
        CLASSIFICATION = "XEP_LOAI", _("Yearly quality classification")
        MODEL_CELL = "KIEU_MAU", _("Model party cell")
        FOUR_GOOD = "BON_TOT", _("Four-good party cell")

    class ScoringMode(models.TextChoices):
        POINTS = "POINTS", _("Points")
        CHECKLIST = "CHECKLIST", _("Met / not met")

    name = models.CharField(_("name"), max_length=255)
    programme = models.CharField(_("programme"), max_length=16, choices=Programme.choices)
    unit_types = models.JSONField(
        _("host unit types"), default=list, blank=True, help_text=_("Empty: every host unit type.")
    )
    org_kinds = models.JSONField(_("organisation kinds"), default=list, blank=True, help_text=_("Empty: every kind."))
    year_from = models.PositiveSmallIntegerField(_("from year"))
    year_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    scoring_mode = models.CharField(
        _("scoring"), max_length=16, choices=ScoringMode.choices, default=ScoringMode.POINTS
    )
    pass_points = models.DecimalField(_("points to pass"), max_digits=6, decimal_places=1, null=True, blank=True)
    basis = models.ForeignKey(
        RegulationDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("basis")
    )
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The edit version (`version` above numbers the copies of a name): bumped by every save of the set's fields, so
    # that two people editing the same set cannot silently overwrite each other (cells.concurrency.check_version).
    revision = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["programme", "-year_from", "name"]
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        constraints = [
            # One version number per name: two copies made at once cannot both become "v2".
            models.UniqueConstraint(fields=("name", "version"), name="criteria_set_unique_name_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version}, {self.year_from}–{self.year_to or '…'})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def applies_to(self, organization, year: int) -> bool:
        if year < self.year_from or (self.year_to and year > self.year_to):
            return False
        if self.unit_types and organization.unit_type not in self.unit_types:
            return False
        return not self.org_kinds or organization.kind in self.org_kinds


class CriterionGroup(models.Model):
    """A group of criteria in a set (e.g. one of the four "bốn tốt" groups); groups may nest."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="groups")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=500)
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1, db_default=1, editable=False
    )  # the edit version, bumped by every save

    class Meta:
        ordering = ["criteria_set", "order", "code"]
        verbose_name = _("criteria group")
        verbose_name_plural = _("criteria groups")
        constraints = [models.UniqueConstraint(fields=("criteria_set", "code"), name="criteria_group_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Criterion(models.Model):
    """One criterion (Vietnamese UI term: "Tiêu chí"): scored by points, met / not met, or a metric the
    system computes from its own data, compared with a threshold. A hard condition caps the grade when failed."""

    class Kind(models.TextChoices):
        POINTS = "POINTS", _("Points")
        CHECK = "CHECK", _("Met / not met")
        METRIC = "METRIC", _("Computed from the data")

    class Metric(models.TextChoices):
        MEETINGS_HELD = "meetings_held", _("Regular meetings held (of 12)")
        THEMATIC_QUARTERS = "thematic_quarters", _("Quarters with a thematic meeting (of 4)")
        ATTENDANCE_RATE = "attendance_rate", _("Member attendance rate (%)")
        MEETINGS_GOOD = "meetings_good", _("Meetings rated Good")
        MEMBERS_DISCIPLINED = "members_disciplined", _("Members disciplined this year")
        ADMISSION_TARGET = "admission_target", _("Admission target reached (%)")
        ORG_GRADE = "org_grade", _("Decided yearly grade (4 HTXSNV, 3 HTTNV, 2 HTNV, 1 KHTNV, 0 not classified)")
        EHANDBOOK_PCT = "ehandbook_pct", _("Members using the e-handbook (%)")

    class Comparator(models.TextChoices):
        AT_LEAST = "GTE", _("at least")
        AT_MOST = "LTE", _("at most")

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    group = models.ForeignKey(CriterionGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("criterion"))
    kind = models.CharField(_("scored by"), max_length=8, choices=Kind.choices, default=Kind.POINTS)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=1, default=0)
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices, blank=True)
    comparator = models.CharField(
        _("comparison"), max_length=3, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2, null=True, blank=True)
    hard_condition = models.BooleanField(_("hard condition"), default=False)
    cap_grade = models.CharField(
        _("grade at most, when not met"), max_length=8, blank=True, help_text=_("e.g. HTNV or KHTNV")
    )
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1, db_default=1, editable=False
    )  # the edit version, bumped by every save

    class Meta:
        ordering = ["criteria_set", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [models.UniqueConstraint(fields=("criteria_set", "code"), name="criteria_criterion_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.text[:80]}"
