from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cells.models import Organization
from cells.text import fold, given_name_sort_key, one_line


class Member(models.Model):
    """A party member (Vietnamese UI term: "Đảng viên"), on the roll of one cell (chi bộ)."""

    class Status(models.TextChoices):
        PROBATIONARY = "DU_BI", _("Probationary member")
        FULL = "CHINH_THUC", _("Full member")
        EXEMPT = "MIEN_CONG_TAC_SINH_HOAT", _("Exempt from party work and activities")
        SUSPENDED = "DINH_CHI_SINH_HOAT", _("Suspended from party activities")
        TRANSFERRED_OUT = "DA_CHUYEN_DI", _("Transferred out")
        LEFT_PARTY = "RA_KHOI_DANG", _("Left the Party")
        DECEASED = "TU_TRAN", _("Deceased")

    # Statuses that keep a member on the cell's roll (counted in "đảng số").
    ON_ROLL = (Status.PROBATIONARY, Status.FULL, Status.EXEMPT, Status.SUSPENDED)

    class Gender(models.TextChoices):
        MALE = "NAM", _("Male")
        FEMALE = "NU", _("Female")

    full_name = models.CharField(_("full name"), max_length=150)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="members", verbose_name=_("party cell")
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.PROBATIONARY)
    gender = models.CharField(_("gender"), max_length=3, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    admitted_on = models.DateField(_("admission date"), null=True, blank=True)
    official_on = models.DateField(_("full membership date"), null=True, blank=True)
    party_card_no = models.CharField(_("party card number"), max_length=20, null=True, blank=True, unique=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=50, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    workplace = models.CharField(_("workplace"), max_length=255, blank=True)
    is_civil_servant = models.BooleanField(_("cadre, civil servant or public employee"), default=False)
    # D10: since when the member uses the "Sổ tay đảng viên điện tử" (QĐ 339); empty: not using it (B23 metric).
    ehandbook_since = models.DateField(_("uses the e-handbook since"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        verbose_name=_("user account"),
    )
    search_text = models.CharField(max_length=200, editable=False, default="", db_index=True)
    sort_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    # Bumped by every save of the record's own fields (members.services.member_update), so that two people editing
    # the same record cannot silently overwrite each other (cells.concurrency.check_version).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [models.Index(fields=["organization", "status"], name="members_org_status_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_on_roll(self) -> bool:
        return self.status in self.ON_ROLL

    def refresh_derived(self) -> None:
        """Keep the folded search text and the Vietnamese name sort key in step with the name."""
        self.full_name = one_line(self.full_name)
        self.search_text = fold(
            f"{self.full_name} {self.party_card_no or ''}", self._meta.get_field("search_text").max_length
        )
        self.sort_key = given_name_sort_key(self.full_name)

    def clean(self):
        super().clean()
        today = timezone.localdate()
        if self.date_of_birth and self.date_of_birth > today:
            raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})
        if self.admitted_on and self.admitted_on > today:
            raise ValidationError({"admitted_on": _("The admission date cannot be in the future.")})
        if self.ehandbook_since and self.ehandbook_since > today:
            raise ValidationError({"ehandbook_since": _("The date cannot be in the future.")})
        if self.official_on and self.admitted_on and self.official_on < self.admitted_on:
            raise ValidationError({"official_on": _("Full membership cannot start before admission.")})
        if self.party_card_no == "":
            self.party_card_no = None


class Position(models.Model):
    """A seat in a party committee (Vietnamese UI term: "Chức vụ trong cấp ủy"), e.g. bí thư of a cell."""

    class Role(models.TextChoices):
        SECRETARY = "BI_THU", _("Secretary")
        DEPUTY_SECRETARY = "PHO_BI_THU", _("Deputy secretary")
        STANDING_COMMITTEE = "UV_BTV", _("Standing committee member")
        COMMITTEE_MEMBER = "CAP_UY_VIEN", _("Committee member")
        GROUP_LEADER = "TO_TRUONG", _("Party group leader")
        GROUP_DEPUTY = "TO_PHO", _("Party group deputy leader")

    # Seats that make up an elected committee (chi ủy / đảng ủy) at the node.
    COMMITTEE_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.STANDING_COMMITTEE, Role.COMMITTEE_MEMBER)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="positions", verbose_name=_("member"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="positions", verbose_name=_("organisation")
    )
    role = models.CharField(_("position"), max_length=16, choices=Role.choices)
    term_label = models.CharField(_("term"), max_length=20, blank=True, help_text=_("e.g. 2025-2030"))
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "role", "member__sort_key"]
        verbose_name = _("committee position")
        verbose_name_plural = _("committee positions")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.member}"


class StatusChange(models.Model):
    """One dated change of a member's status (Vietnamese UI term: "Quá trình thay đổi tình trạng").

    Written only by members.services; the member's timeline is these rows in date order.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("member")
    )
    previous_status = models.CharField(_("previous status"), max_length=32, choices=Member.Status.choices, blank=True)
    status = models.CharField(_("status"), max_length=32, choices=Member.Status.choices)
    effective_on = models.DateField(_("effective on"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    decision_no = models.CharField(_("decision number"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("party cell at the time")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["member", "effective_on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()} ({self.effective_on})"


class Transfer(models.Model):
    """A transfer of party activity (Vietnamese UI term: "Chuyển sinh hoạt đảng"), official or temporary.

    Within the tree both ends are nodes, so the transfer shows in the history of both. Out of or into the tree
    one end is free text. A temporary transfer into a cell makes the member attend there without joining its
    roll (đảng số): `member_name`/`home_text` hold a member who comes from outside the tree.
    """

    class Kind(models.TextChoices):
        OFFICIAL = "CHINH_THUC", _("Official transfer")
        TEMPORARY = "TAM_THOI", _("Temporary transfer")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member")
    )
    member_name = models.CharField(_("member name"), max_length=150, blank=True)
    from_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from"),
    )
    from_text = models.CharField(_("from (outside the tree)"), max_length=255, blank=True)
    to_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to")
    )
    to_text = models.CharField(_("to (outside the tree)"), max_length=255, blank=True)
    decided_on = models.DateField(_("decision date"))
    decision_no = models.CharField(_("decision number"), max_length=100, blank=True)
    letter_issued_on = models.DateField(_("introduction letter issued on"), null=True, blank=True)
    letter_presented_on = models.DateField(_("introduction letter presented on"), null=True, blank=True)
    completed_on = models.DateField(_("procedure completed on"), null=True, blank=True)
    expected_return_on = models.DateField(_("expected end"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.member.full_name if self.member_id else self.member_name

    @property
    def from_label(self) -> str:
        return self.from_organization.name if self.from_organization_id else self.from_text

    @property
    def to_label(self) -> str:
        return self.to_organization.name if self.to_organization_id else self.to_text


class MemberImport(models.Model):
    """An uploaded roster waiting for confirmation (Vietnamese UI term: "Nhập danh sách đảng viên").

    The parsed rows and their outcomes are kept here between preview and confirmation, so that nothing
    touches the registry until the user confirms; confirming applies them in one transaction.
    """

    class State(models.TextChoices):
        PREVIEW = "PREVIEW", _("Waiting for confirmation")
        APPLIED = "APPLIED", _("Applied")
        CANCELLED = "CANCELLED", _("Cancelled")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="member_imports", verbose_name=_("organisation")
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
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def __str__(self) -> str:
        return self.file_name


class ResidenceFeedback(models.Model):
    """The yearly feedback of the party organisation where a member lives (Vietnamese UI term: "Nhận xét của chi ủy
    nơi cư trú", QĐ 213-QĐ/TW): an input to the member's yearly rating (D10), recorded by the grassroots committee
    or the bloc staff. One per member and year."""

    class Assessment(models.TextChoices):
        GOOD = "TOT", _("Good")
        FAIR = "CHUA_TOT", _("Not yet good")
        NEGATIVE = "VI_PHAM", _("Reports a violation")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="residence_feedback", verbose_name=_("member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    received_on = models.DateField(_("received on"))
    residence_organization = models.CharField(_("party organisation where the member lives"), max_length=255)
    assessment = models.CharField(_("assessment"), max_length=16, choices=Assessment.choices)
    text = models.TextField(_("feedback"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["member", "-year"]
        verbose_name = _("residence feedback")
        verbose_name_plural = _("residence feedback")
        constraints = [
            models.UniqueConstraint(
                fields=("member", "year"),
                name="members_residence_feedback_unique_year",
                violation_error_message=_("Feedback from the place of residence is already recorded for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.get_assessment_display()}"


class Discipline(models.Model):
    """A disciplinary decision against a member (Vietnamese UI term: "Kỷ luật đảng viên"), a fact of the member's
    record (D5). Every figure that depends on discipline (B13 caps, B23, B24) is read from these rows when it is
    needed, never copied at one step. A record entered by mistake is annulled (kept, with who, when and why), not
    deleted; an annulled record counts for nothing.
    """

    class Form(models.TextChoices):
        # The forms of discipline of a party member, lightest first.
        REPRIMAND = "KHIEN_TRACH", pgettext_lazy("discipline", "Reprimand")
        WARNING = "CANH_CAO", pgettext_lazy("discipline", "Warning")
        DISMISSAL = "CACH_CHUC", pgettext_lazy("discipline", "Dismissal from office")
        EXPULSION = "KHAI_TRU", pgettext_lazy("discipline", "Expulsion")

    # Lightest first: an index in this order compares two forms.
    FORM_ORDER = (Form.REPRIMAND, Form.WARNING, Form.DISMISSAL, Form.EXPULSION)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="disciplines", verbose_name=_("member"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("party cell at the time")
    )
    form = models.CharField(_("form of discipline"), max_length=16, choices=Form.choices)
    decision_no = models.CharField(_("decision number"), max_length=100)
    decided_on = models.DateField(_("decision date"))
    deciding_body = models.CharField(_("deciding body"), max_length=255)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    annulled_at = models.DateTimeField(_("annulled at"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    annul_reason = models.CharField(_("reason for annulling"), max_length=1000, blank=True)

    class Meta:
        ordering = ["member", "-decided_on", "-id"]
        verbose_name = _("disciplinary decision")
        verbose_name_plural = _("disciplinary decisions")
        indexes = [models.Index(fields=["decided_on", "organization"], name="members_discipline_year_idx")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_form_display()} ({self.decision_no}, {self.decided_on})"

    @property
    def is_annulled(self) -> bool:
        return self.annulled_at is not None

    @classmethod
    def form_rank(cls, form: str) -> int:
        return cls.FORM_ORDER.index(cls.Form(form))


class MemberCount(models.Model):
    """How many members each organisation has on its own roll, by status (not its subtree: a subtree's figure is
    the sum over its nodes, read through the organisation path index).

    Kept by the services that change a member's status or organisation, in the same transaction
    (members.counts.refresh), so that home, the tree and the dashboards read one row per node instead of every
    member of a merged province. `manage.py rebuild_figures` (members.counts.rebuild_all) recomputes them from the
    member rows. A node with no member may have no row: read it as zeros.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="member_count_row"
    )
    probationary = models.PositiveIntegerField(default=0)
    full = models.PositiveIntegerField(default=0)
    exempt = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    transferred_out = models.PositiveIntegerField(default=0)
    left_party = models.PositiveIntegerField(default=0)
    deceased = models.PositiveIntegerField(default=0)

    # Member.Status value -> column
    COLUMNS = {
        Member.Status.PROBATIONARY: "probationary",
        Member.Status.FULL: "full",
        Member.Status.EXEMPT: "exempt",
        Member.Status.SUSPENDED: "suspended",
        Member.Status.TRANSFERRED_OUT: "transferred_out",
        Member.Status.LEFT_PARTY: "left_party",
        Member.Status.DECEASED: "deceased",
    }

    class Meta:
        verbose_name = _("kept member count")
        verbose_name_plural = _("kept member counts")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.as_dict()}"

    def as_dict(self) -> dict[str, int]:
        return {status: getattr(self, column) for status, column in self.COLUMNS.items()}
