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
    }

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


class MeetingScoreTemplate(models.Model):
    """A versioned score sheet for cell meetings (Vietnamese UI term: "Bảng điểm đánh giá chất lượng sinh hoạt").

    `levels` maps a rating to its minimum score, e.g. {"TOT": 90, "KHA": 70, "TRUNG_BINH": 50}; below the last
    level a meeting is "Kém". Items marked `required_for_top` must be at full marks for the top rating.
    """

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    levels = models.JSONField(_("levels"), default=dict)
    basis = models.ManyToManyField(RegulationDocument, blank=True, related_name="+", verbose_name=_("basis"))

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("meeting score template")
        verbose_name_plural = _("meeting score templates")

    def __str__(self) -> str:
        return self.name

    @property
    def max_total(self):
        return sum(item.max_points for item in self.items.all())


class MeetingScoreItem(models.Model):
    """One line of a meeting score sheet. `auto_key` names a figure the meeting log already knows."""

    class AutoKey(models.TextChoices):
        ATTENDANCE = "attendance", _("Attendance rate")
        DURATION = "duration", _("Duration")
        MINUTES = "minutes", _("Minutes complete")
        DOCUMENTS = "documents", _("Documents sent a day ahead")
        PREPARATION = "preparation", _("Prepared by the cell committee")

    template = models.ForeignKey(MeetingScoreTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("section"), max_length=200)
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("criterion"), max_length=500)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    auto_key = models.CharField(_("filled from the log"), max_length=20, choices=AutoKey.choices, blank=True)
    required_for_top = models.BooleanField(_("full marks needed for the top rating"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("score sheet item")
        verbose_name_plural = _("score sheet items")
        constraints = [models.UniqueConstraint(fields=("template", "code"), name="criteria_scoreitem_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"
