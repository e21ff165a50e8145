from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.models import Organization
from criteria.models import Grade  # defined with the criteria (their rule vocabulary); still importable from here

# Best first: a "cap" is an index in this order.
GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED, Grade.NOT_FULFILLED]


def grade_rank(grade: str) -> int:
    return GRADE_ORDER.index(Grade(grade))


class NotClassified(models.TextChoices):
    NEW_MEMBER = "MOI_KET_NAP", _("Admitted less than 6 months ago")
    EXEMPT = "MIEN_CONG_TAC_SINH_HOAT", _("Exempt from party work and activities")
    SUSPENDED = "DINH_CHI_SINH_HOAT", _("Suspended from party activities")
    NEW_ORGANISATION = "THANH_LAP_DUOI_6_THANG", _("Founded less than 6 months ago")


class EvaluationPeriod(models.Model):
    """A yearly review opened for a subtree (Vietnamese UI term: "Kỳ đánh giá, xếp loại chất lượng").

    It points to the parameter set of its year; the parameters are copied into each decided result so that a
    later change of the set never changes a decided result.
    """

    class State(models.TextChoices):
        OPEN = "OPEN", _("Open")
        LOCKED = "LOCKED", _("Locked")

    year = models.PositiveSmallIntegerField(_("year"))
    root = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="evaluation_periods", verbose_name=_("for")
    )
    parameter_set = models.ForeignKey(
        "criteria.RuleParameterSet", on_delete=models.PROTECT, related_name="+", verbose_name=_("rule parameter set")
    )
    self_assessment_due = models.DateField(_("self-assessment due"))
    appraisal_due = models.DateField(_("appraisal due"))
    decision_due = models.DateField(_("decision due"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "root__path"]
        verbose_name = _("evaluation period")
        verbose_name_plural = _("evaluation periods")
        constraints = [
            models.UniqueConstraint(
                fields=("year", "root"),
                name="evaluations_period_unique_year_root",
                violation_error_message=_("An evaluation for this year is already open here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.root}"

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.LOCKED


class OrgEvaluation(models.Model):
    """The yearly evaluation of one party organisation (Vietnamese UI term: "Đánh giá, xếp loại tổ chức đảng").

    Step 1 self-assessment, step 2 appraisal by the grassroots committee, step 3 decision by the bloc staff
    (or return with a reason). `version` guards against two people overwriting each other.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "NOT_STARTED", _("Not started")
        SELF_ASSESSED = "SELF_ASSESSED", _("Self-assessed")
        APPRAISED = "APPRAISED", _("Appraised")
        RETURNED = "RETURNED", _("Returned")
        DECIDED = "DECIDED", _("Decided")

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.PROTECT, related_name="org_evaluations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="evaluations")
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    criteria_snapshot = models.JSONField(default=dict, blank=True)
    parameters_snapshot = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("progress"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    self_score = models.DecimalField(_("self-assessed score"), max_digits=6, decimal_places=1, null=True, blank=True)
    self_grade = models.CharField(_("self-assessed grade"), max_length=8, choices=Grade.choices, blank=True)
    self_comment = models.TextField(_("self-assessment"), blank=True)
    tasks_done_pct = models.DecimalField(_("tasks done (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    tasks_exceeded_pct = models.DecimalField(
        _("tasks exceeded (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    tasks_late_pct = models.DecimalField(_("tasks late (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    leadership_disciplined = models.BooleanField(_("leading collective disciplined this year"), default=False)
    units_disciplined_pct = models.DecimalField(
        _("subordinate units disciplined (%)"), max_digits=5, decimal_places=1, default=0
    )
    appraisal_grade = models.CharField(_("proposed grade"), max_length=8, choices=Grade.choices, blank=True)
    appraisal_comment = models.TextField(_("appraisal"), blank=True)
    suggested_grade = models.CharField(_("suggested grade"), max_length=8, choices=Grade.choices, blank=True)
    suggestion_reasons = models.JSONField(default=list, blank=True)
    final_grade = models.CharField(_("decided grade"), max_length=8, choices=Grade.choices, blank=True)
    not_classified = models.CharField(
        _("not classified because"), max_length=32, choices=NotClassified.choices, blank=True
    )
    justification = models.TextField(_("justification"), blank=True)
    decision_no = models.CharField(_("decision number"), max_length=100, blank=True)
    # The deciding committee's decision ("Quyết định số …, ngày …"): its number above and its date here.
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # D5: a discipline cap (B13) lifted by the deciding body at the decision step: the cap lifted, who, when and
    # the written justification. Listed as an exception in the yearly report.
    cap_override_grade = models.CharField(
        _("discipline cap overridden"), max_length=8, choices=Grade.choices, blank=True, db_default=""
    )
    cap_override_justification = models.TextField(_("justification of the exception"), blank=True, db_default="")
    cap_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cap_override_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "organization__path"]
        verbose_name = _("organisation evaluation")
        verbose_name_plural = _("organisation evaluations")
        constraints = [
            models.UniqueConstraint(fields=("period", "organization"), name="evaluations_org_unique_period_org")
        ]
        # The progress and grade figures of a period (dashboards, the period page) group one evaluation per
        # organisation of the bloc by status and grade: this index answers them without reading the rows, which
        # carry the criteria and parameter snapshots (tens of megabytes at the size of a merged province).
        indexes = [
            models.Index(
                fields=["period", "organization", "status", "final_grade"], name="evaluations_org_progress_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.period.year}"

    @property
    def is_decided(self) -> bool:
        return self.status == self.Status.DECIDED


def evidence_upload_to(instance, filename: str) -> str:
    return f"evaluations/{instance.evaluation.period_id}/{instance.evaluation_id}/{filename}"


class CriterionAnswer(models.Model):
    """The self-assessment (and appraisal) of one criterion, with evidence."""

    evaluation = models.ForeignKey(OrgEvaluation, on_delete=models.CASCADE, related_name="answers")
    code = models.CharField(max_length=20)
    points = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    met = models.BooleanField(null=True, blank=True)
    metric_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_upload_to, blank=True)

    class Meta:
        ordering = ["evaluation", "code"]
        verbose_name = _("criterion answer")
        verbose_name_plural = _("criterion answers")
        constraints = [models.UniqueConstraint(fields=("evaluation", "code"), name="evaluations_answer_unique_code")]

    def __str__(self) -> str:
        return self.code


class MemberEvaluation(models.Model):
    """One member's yearly rating (Vietnamese UI term: "Đánh giá, xếp loại đảng viên")."""

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.PROTECT, related_name="member_evaluations")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="evaluations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("party cell")
    )
    grassroots = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("grassroots organisation")
    )
    self_grade = models.CharField(_("self-assessed grade"), max_length=8, choices=Grade.choices, blank=True)
    proposed_grade = models.CharField(_("cell's proposal"), max_length=8, choices=Grade.choices, blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    final_grade = models.CharField(_("decided grade"), max_length=8, choices=Grade.choices, blank=True)
    not_classified = models.CharField(
        _("not classified because"), max_length=32, choices=NotClassified.choices, blank=True
    )
    disciplined = models.BooleanField(_("disciplined this year"), default=False)
    sick_leave_months = models.DecimalField(_("sick leave (months)"), max_digits=4, decimal_places=1, default=0)
    maternity_leave = models.BooleanField(_("maternity leave"), default=False)
    civil_servant_grade = models.CharField(_("grade as civil servant"), max_length=8, choices=Grade.choices, blank=True)
    cap_grade = models.CharField(max_length=8, choices=Grade.choices, blank=True)
    cap_reasons = models.JSONField(default=list, blank=True)
    # D5: the discipline cap lifted by the deciding body (see OrgEvaluation.cap_override_grade).
    cap_override_grade = models.CharField(
        _("discipline cap overridden"), max_length=8, choices=Grade.choices, blank=True, db_default=""
    )
    cap_override_justification = models.TextField(_("justification of the exception"), blank=True, db_default="")
    cap_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cap_override_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "organization", "member__sort_key"]
        verbose_name = _("member evaluation")
        verbose_name_plural = _("member evaluations")
        constraints = [models.UniqueConstraint(fields=("period", "member"), name="evaluations_member_unique_period")]
        indexes = [models.Index(fields=["period", "grassroots", "final_grade"], name="evaluations_member_quota_idx")]

    def __str__(self) -> str:
        return f"{self.member} — {self.period.year}"


class QuotaException(models.Model):
    """An authorised exception to the HTXSNV quota (B12) for one unit and year: a grassroots organisation (its
    members, or its subordinate organisations) or an upper-level committee (its grassroots organisations, D3)."""

    class Scope(models.TextChoices):
        MEMBERS = "MEMBERS", _("Members")
        ORGANISATIONS = "ORGS", _("Subordinate organisations")

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.PROTECT, related_name="quota_exceptions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("for"), max_length=8, choices=Scope.choices)
    extra_places = models.PositiveSmallIntegerField(_("extra places"), default=1)
    justification = models.TextField(_("justification"))
    decided_by_body = models.CharField(_("decided by"), max_length=255)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quota exception")
        verbose_name_plural = _("quota exceptions")

    def __str__(self) -> str:
        return f"{self.organization} {self.period.year}: +{self.extra_places}"


class MemberReviewLock(models.Model):
    """The member ratings of one grassroots organisation closed for a year (D3: the closing step where the quota
    B12 is checked). Reopening deletes it (with a reason in the audit history); locking again re-runs the check."""

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="member_review_locks")
    grassroots = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("grassroots organisation")
    )
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    locked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "grassroots__path"]
        verbose_name = _("closed member review")
        verbose_name_plural = _("closed member reviews")
        constraints = [models.UniqueConstraint(fields=("period", "grassroots"), name="evaluations_member_lock_unique")]

    def __str__(self) -> str:
        return f"{self.grassroots} — {self.period.year}"


class HistoricalRating(models.Model):
    """A past yearly result loaded from the records (import of 2020–2024), used for eligibility (B21)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="past_ratings"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="past_ratings"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    source = models.CharField(_("source"), max_length=255, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("past rating")
        verbose_name_plural = _("past ratings")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "year"),
                condition=models.Q(organization__isnull=False),
                name="evaluations_past_org_year",
            ),
            models.UniqueConstraint(
                fields=("member", "year"), condition=models.Q(member__isnull=False), name="evaluations_past_member_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization or self.member} {self.year}: {self.grade}"


class ModelRegistration(models.Model):
    """A cell's registration in a model programme for a phase (Vietnamese UI term: "Đăng ký xây dựng mô hình")."""

    class Status(models.TextChoices):
        REGISTERED = "DANG_KY", _("Registered")
        APPROVED = "DUOC_DUYET", _("Approved")
        BUILDING = "DANG_XAY_DUNG", _("Building")
        RECOGNISED = "DUOC_CONG_NHAN", _("Recognised")
        FAILED = "KHONG_DAT", _("Not achieved")
        WITHDRAWN = "RUT_DANG_KY", _("Withdrawn")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="model_registrations")
    programme = models.CharField(_("programme"), max_length=16)
    phase_start = models.PositiveSmallIntegerField(_("phase from"))
    phase_end = models.PositiveSmallIntegerField(_("phase to"))
    reference_years = models.JSONField(_("reference years"), default=list)
    eligibility_snapshot = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by_body = models.CharField(_("approved by"), max_length=255, blank=True)
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)
    decision_no = models.CharField(_("decision number"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-phase_start", "organization__name"]
        verbose_name = _("model programme registration")
        verbose_name_plural = _("model programme registrations")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "programme", "phase_start"), name="evaluations_registration_unique_phase"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.programme} {self.phase_start}-{self.phase_end}"


class ModelYearCheck(models.Model):
    """The yearly check of a registered cell against its programme's criteria set."""

    registration = models.ForeignKey(ModelRegistration, on_delete=models.CASCADE, related_name="year_checks")
    year = models.PositiveSmallIntegerField(_("year"))
    criteria_snapshot = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    passed = models.BooleanField(_("met the criteria"), default=False)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["registration", "year"]
        verbose_name = _("model programme yearly check")
        verbose_name_plural = _("model programme yearly checks")
        constraints = [models.UniqueConstraint(fields=("registration", "year"), name="evaluations_yearcheck_unique")]

    def __str__(self) -> str:
        return f"{self.registration} {self.year}"


class AdmissionTarget(models.Model):
    """An organisation's target of new members to admit in a year (Vietnamese UI term: "Chỉ tiêu kết nạp đảng viên"),
    entered by the grassroots committee or the bloc staff. The model-cell criterion "đạt chỉ tiêu kết nạp" (B23)
    compares the year's admissions with it; without a target that criterion is not yet known."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="admission_targets")
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.PositiveSmallIntegerField(_("admission target"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["-year", "organization__path"]
        verbose_name = _("admission target")
        verbose_name_plural = _("admission targets")
        constraints = [
            models.UniqueConstraint(fields=("organization", "year"), name="evaluations_admission_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.target}"


class PastResultImport(models.Model):
    """An uploaded file of past yearly results waiting for confirmation (Vietnamese UI term: "Nhập kết quả xếp loại
    các năm trước").

    The parsed rows and their outcomes are kept here between preview and confirmation, so that no HistoricalRating
    is written until the user confirms; confirming applies them in one transaction (as members.MemberImport).
    """

    class State(models.TextChoices):
        PREVIEW = "PREVIEW", _("Waiting for confirmation")
        APPLIED = "APPLIED", _("Applied")
        CANCELLED = "CANCELLED", _("Cancelled")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="past_result_imports", verbose_name=_("organisation")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PREVIEW)
    rows = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("past result import")
        verbose_name_plural = _("past result imports")

    def __str__(self) -> str:
        return self.file_name


class MassMobilisationModel(models.Model):
    """One "Dân vận khéo" model in an organisation's register for a year (D9, B25).

    A model is recognised when it has a level (cấp công nhận); a recognised model's score lies within the range of
    the rule parameters in force for its year (dan_van_kheo_min_score..dan_van_kheo_max_score), copied into
    `parameters_snapshot` when saved, so that a later change of the set never makes a recorded model invalid.
    """

    class Field(models.TextChoices):
        ECONOMY = "KINH_TE", _("Economy")
        CULTURE_SOCIETY = "VAN_HOA_XA_HOI", _("Culture and society")
        DEFENCE_SECURITY = "QUOC_PHONG_AN_NINH", _("Defence and security")
        POLITICAL_SYSTEM = "HE_THONG_CHINH_TRI", _("Building the political system")
        OTHER = "KHAC", _("Other")

    class Level(models.TextChoices):
        GRASSROOTS = "CO_SO", _("Grassroots level")
        BLOC = "KHOI", _("Bloc level")
        PROVINCE = "TINH", _("Provincial level")
        NATIONAL = "TRUNG_UONG", _("National level")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="mass_mobilisation_models", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("model name"), max_length=255)
    field = models.CharField(_("field"), max_length=24, choices=Field.choices)
    level = models.CharField(
        _("level recognised"), max_length=16, choices=Level.choices, blank=True, help_text=_("Empty: not recognised.")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    decision_no = models.CharField(_("decision number"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    parameters_snapshot = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["-year", "organization__path", "name"]
        verbose_name = _("mass mobilisation model")
        verbose_name_plural = _("mass mobilisation models")
        indexes = [models.Index(fields=["year", "level"], name="evaluations_dvk_year_level_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization}, {self.year})"

    @property
    def is_recognised(self) -> bool:
        return bool(self.level)
