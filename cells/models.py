from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.text import fold


class Organization(models.Model):
    """A node of the organisation tree (Vietnamese UI term: "Tổ chức đảng").

    The root is an upper-level committee directly above grassroots organisations (e.g. an "Đảng ủy Khối"),
    named by data. Grassroots organisations (đảng bộ cơ sở, chi bộ cơ sở) sit under it; cells (chi bộ) hold
    the members. `path` is a materialized path of primary keys ("/1/7/42/") so that "this node and everything
    below it" is one indexed prefix predicate in SQL; only services in cells/services.py write it.
    """

    class Kind(models.TextChoices):
        UPPER = "DANG_BO_CAP_TREN_CO_SO", _("Upper-level committee directly above grassroots")
        GRASSROOTS_COMMITTEE = "DANG_BO_CO_SO", _("Grassroots party committee")
        GRASSROOTS_CELL = "CHI_BO_CO_SO", _("Grassroots party cell")
        SUB_COMMITTEE = "DANG_BO_BO_PHAN", _("Sub-committee")
        CELL = "CHI_BO_TRUC_THUOC", _("Subordinate party cell")

    class UnitType(models.TextChoices):
        ADMINISTRATIVE = "CO_QUAN_HANH_CHINH", _("State administrative agency")
        PUBLIC_SERVICE = "DON_VI_SU_NGHIEP", _("Public service unit")
        STATE_ENTERPRISE = "DOANH_NGHIEP_NHA_NUOC", _("State-owned enterprise")
        OTHER_ENTERPRISE = "DOANH_NGHIEP_KHAC", _("Non-state enterprise")
        PARTY_BODY = "CO_QUAN_DANG", _("Party body")
        MASS_ORGANISATION = "MAT_TRAN_DOAN_THE", _("Front or mass organisation")
        OTHER = "KHAC", _("Other")

    # Which kind may sit directly under which (None = may be a root). Enforced by cells.services.
    ALLOWED_PARENTS = {
        Kind.UPPER: {None, Kind.UPPER},
        Kind.GRASSROOTS_COMMITTEE: {Kind.UPPER},
        Kind.GRASSROOTS_CELL: {Kind.UPPER},
        Kind.SUB_COMMITTEE: {Kind.GRASSROOTS_COMMITTEE},
        Kind.CELL: {Kind.GRASSROOTS_COMMITTEE, Kind.SUB_COMMITTEE},
    }
    CELL_KINDS = (Kind.GRASSROOTS_CELL, Kind.CELL)
    GRASSROOTS_KINDS = (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL)

    name = models.CharField(_("name"), max_length=255)
    code = models.CharField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("A short unique code, e.g. CB-VP-01. Letters, digits, dots, dashes and underscores."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    unit_type = models.CharField(_("host unit type"), max_length=32, choices=UnitType.choices, default=UnitType.OTHER)
    host_unit_name = models.CharField(_("host unit name"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolution_reason = models.CharField(_("reason for dissolution"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_text = models.CharField(max_length=600, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    @property
    def is_cell(self) -> bool:
        return self.kind in self.CELL_KINDS

    @property
    def is_grassroots(self) -> bool:
        return self.kind in self.GRASSROOTS_KINDS

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read from the path (no query)."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_in_subtree_of(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join([self.name, self.code, self.host_unit_name]))

    def clean(self):
        super().clean()
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            raise ValidationError({"dissolved_on": _("The dissolution date cannot be before the founding date.")})
        if self.founded_on and self.founded_on > timezone.localdate():
            raise ValidationError({"founded_on": _("The founding date cannot be in the future.")})


class RoleAssignment(models.Model):
    """A user's role at a node of the tree (Vietnamese UI term: "Phân quyền"). Scope is the node's subtree.

    Members get access to their own record through `members.Member.user`, not through a role.
    """

    class Role(models.TextChoices):
        STAFF = "STAFF", _("Committee staff (organisation department)")
        LEADER = "LEADER", _("Leadership (reports)")
        GRASSROOTS = "GRASSROOTS", _("Grassroots committee")
        SECRETARY = "SECRETARY", _("Cell secretary / deputy secretary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "organization", "role"),
                name="cells_roleassignment_unique_user_org_role",
                violation_error_message=_("This user already has this role at this organisation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class AuditEntry(models.Model):
    """One recorded action (Vietnamese UI term: "Nhật ký thao tác"): who did what to which object, and when."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["target_type", "target_id"], name="cells_audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


#
# Cell meetings (sinh hoạt chi bộ)
#


class Meeting(models.Model):
    """One cell meeting (Vietnamese UI term: "Buổi sinh hoạt chi bộ") with its minutes.

    A draft (NHAP) is edited freely by the cell; finalising (DA_CHOT) checks the minutes and locks them.
    `version` is bumped by every save so that two people editing the same draft cannot overwrite each other.
    """

    class Kind(models.TextChoices):
        REGULAR = "THUONG_KY", _("Regular monthly meeting")
        THEMATIC = "CHUYEN_DE", _("Thematic meeting")
        COMBINED = "KET_HOP", _("Regular meeting combined with a thematic one")
        EXTRAORDINARY = "BAT_THUONG", _("Extraordinary meeting")
        COMMITTEE = "CAP_UY", _("Cell committee meeting")

    class Format(models.TextChoices):
        IN_PERSON = "TRUC_TIEP", _("In person")
        ONLINE = "TRUC_TUYEN", _("Online")
        HYBRID = "KET_HOP", _("In person and online")

    class Status(models.TextChoices):
        DRAFT = "NHAP", _("Draft")
        FINAL = "DA_CHOT", _("Finalised")

    class Rating(models.TextChoices):
        GOOD = "TOT", _("Good")
        FAIR = "KHA", _("Fair")
        AVERAGE = "TRUNG_BINH", _("Average")
        POOR = "KEM", _("Poor")

    # Kinds that count as the month's regular meeting (rule B1) and as a thematic meeting (rule B2).
    REGULAR_KINDS = (Kind.REGULAR, Kind.COMBINED)
    THEMATIC_KINDS = (Kind.THEMATIC, Kind.COMBINED)

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("party cell")
    )
    kind = models.CharField(_("kind of meeting"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    period_year = models.PositiveSmallIntegerField(_("year it counts for"))
    period_month = models.PositiveSmallIntegerField(_("month it counts for"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    location = models.CharField(_("place"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON)
    presiding = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("presiding")
    )
    minute_taker = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("minute-taker"),
    )
    guests = models.CharField(_("guests"), max_length=500, blank=True)
    upper_attendee = models.CharField(_("upper-committee member attending"), max_length=255, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    pre_meeting_on = models.DateField(_("cell committee prepared it on"), null=True, blank=True)
    documents_sent_on = models.DateField(_("documents sent to members on"), null=True, blank=True)
    content = models.TextField(_("content"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    conclusion = models.TextField(_("conclusion or resolution"), blank=True)
    vote_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    vote_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    vote_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    status = models.CharField(_("state"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    score = models.DecimalField(_("quality score"), max_digits=5, decimal_places=1, null=True, blank=True)
    rating = models.CharField(_("quality rating"), max_length=16, choices=Rating.choices, blank=True)
    score_template = models.ForeignKey(
        "criteria.MeetingScoreTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    # Attendance totals kept by the meeting services whenever the attendance is written (create, update,
    # finalise), so that subtree KPIs add up one row per meeting instead of reading every attendance row.
    present_count = models.PositiveIntegerField(default=0, editable=False)
    eligible_count = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_year", "-period_month", "-date"]
        verbose_name = _("cell meeting")
        verbose_name_plural = _("cell meetings")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "period_year", "period_month"),
                condition=models.Q(kind__in=("THUONG_KY", "KET_HOP")),
                name="cells_meeting_one_regular_per_month",
                violation_error_message=_("This cell already has a regular meeting for that month."),
            )
        ]
        indexes = [
            models.Index(fields=["period_year", "period_month", "organization"], name="cells_meeting_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.period_month:02d}/{self.period_year} ({self.get_kind_display()})"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def duration_minutes(self) -> int:
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        return end - start

    @property
    def counts_as_regular(self) -> bool:
        return self.kind in self.REGULAR_KINDS

    @property
    def counts_as_thematic(self) -> bool:
        return self.kind in self.THEMATIC_KINDS


class Attendance(models.Model):
    """One member's attendance at a meeting (Vietnamese UI term: "Điểm danh")."""

    class Status(models.TextChoices):
        PRESENT = "CO_MAT", _("Present")
        EXCUSED = "VANG_CO_LY_DO", _("Absent with reason")
        UNEXCUSED = "VANG_KHONG_LY_DO", _("Absent without reason")
        EXEMPT = "MIEN", _("Exempt (not counted)")
        SPECIAL_DUTY = "NHIEM_VU_DAC_BIET", _("On special duty (not counted)")

    # Outside the attendance denominator (rule B4 / domain §3.7).
    NOT_COUNTED = (Status.EXEMPT, Status.SPECIAL_DUTY)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    member_status = models.CharField(max_length=32, blank=True, help_text="Member status on the meeting date")
    spoke = models.BooleanField(_("spoke"), default=False)

    class Meta:
        ordering = ["meeting", "member__sort_key"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "member"), name="cells_attendance_unique_member"),
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="cells_attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class TemporaryAttendance(models.Model):
    """A temporary member (sinh hoạt tạm thời) at a meeting: shown apart, outside the cell's counts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="temporary_attendances")
    transfer = models.ForeignKey("members.Transfer", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("temporary member's attendance")
        verbose_name_plural = _("temporary members' attendance")
        constraints = [models.UniqueConstraint(fields=("meeting", "transfer"), name="cells_tempattendance_unique")]

    def __str__(self) -> str:
        return str(self.transfer)


def meeting_upload_to(instance, filename: str) -> str:
    return f"meetings/{instance.meeting.organization_id}/{instance.meeting_id}/{filename}"


class MeetingAttachment(models.Model):
    """A scanned minutes page or a photo attached to a meeting (type and size checked by the service)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=meeting_upload_to)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class MeetingScore(models.Model):
    """Points given to one item of the scoring template for one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey("criteria.MeetingScoreItem", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=5, decimal_places=1)
    automatic = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "item__order"]
        verbose_name = _("meeting score")
        verbose_name_plural = _("meeting scores")
        constraints = [models.UniqueConstraint(fields=("meeting", "item"), name="cells_meetingscore_unique_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.points}"


class MonthlyGuidance(models.Model):
    """The month's suggested meeting content published for a subtree (Vietnamese UI term:
    "Định hướng nội dung sinh hoạt")."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="guidance")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("suggested content"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-month", "organization__depth"]
        verbose_name = _("monthly content guidance")
        verbose_name_plural = _("monthly content guidance")

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}: {self.title}"


class Notification(models.Model):
    """An in-app notice (Vietnamese UI term: "Thông báo"). `key` makes sending idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    message = models.CharField(max_length=1000)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=("user", "key"), name="cells_notification_unique_key")]

    def __str__(self) -> str:
        return self.message[:80]
