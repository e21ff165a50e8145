"""The meeting log (Vietnamese UI term: "Sinh hoạt chi bộ"): meetings with their attendance, scores and
attachments, the score sheets they are scored against, the month's content guidance and in-app notifications.

These tables were created by the `cells` and `criteria` apps and keep their names (`db_table`): the models moved
here in `meetings/migrations/0001_initial.py` without touching a row.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.models import Organization

#
# Meeting score sheets (bảng điểm đánh giá chất lượng sinh hoạt)
#


class MeetingScoreTemplate(models.Model):
    """A versioned score sheet for cell meetings (Vietnamese UI term: "Bảng điểm đánh giá chất lượng sinh hoạt").

    `levels` maps a rating to its minimum score, e.g. {"TOT": 90, "KHA": 70, "TRUNG_BINH": 50}; below the last
    level a meeting is "Kém". Items marked `required_for_top` must be at full marks for the top rating.
    """

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    levels = models.JSONField(_("levels"), default=dict)
    basis = models.ManyToManyField("criteria.RegulationDocument", blank=True, related_name="+", verbose_name=_("basis"))

    class Meta:
        db_table = "criteria_meetingscoretemplate"
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
        db_table = "criteria_meetingscoreitem"
        ordering = ["template", "order"]
        verbose_name = _("score sheet item")
        verbose_name_plural = _("score sheet items")
        constraints = [models.UniqueConstraint(fields=("template", "code"), name="criteria_scoreitem_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


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
        MeetingScoreTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
        db_table = "cells_meeting"
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

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the cell and month a loaded meeting counted for, so that a save moving it to another month (or
        cell) refreshes the kept summary of the month it left as well (meetings.summaries)."""
        instance = super().from_db(db, field_names, values)
        instance._kept_month = instance._summary_key()
        return instance

    def _summary_key(self) -> tuple | None:
        """(cell, year, month) of the loaded values; None while one of them is unset or deferred (read from
        __dict__: touching a deferred field would load it, and loading runs from_db again)."""
        key = tuple(self.__dict__.get(name) for name in ("organization_id", "period_year", "period_month"))
        return None if None in key else key


class CellMonthSummary(models.Model):
    """What one cell logged for one month (a `period_year` / `period_month`), kept from its meeting rows so that the
    subtree figures (heat-map, KPIs, home page) read one narrow row per cell and month instead of the meetings.

    It keeps facts, never a verdict: the regular meeting's state, date, rating and attendance totals, and the date of
    the earliest finalised thematic meeting dated within or after the month. Whether the month counts (D6) is decided
    when read by meetings.counting's conditions, from these dates and the `late_grace_days` in force then, and whether
    the cell existed that month from the organisation row: a change of rule parameters, of today, or of the cell's
    founding / dissolution dates needs no rewrite. Written only by meetings.summaries (on every meeting save or delete
    and attendance refresh, in the writer's transaction); `manage.py rebuild_figures` rebuilds it from the meetings.
    A row exists only for a month with at least one regular or thematic meeting."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="month_summaries")
    period_year = models.PositiveSmallIntegerField()
    period_month = models.PositiveSmallIntegerField()
    # The month's regular meeting (THUONG_KY / KET_HOP; at most one, a constraint): empty status when there is none.
    status = models.CharField(max_length=8, blank=True, default="")
    date = models.DateField(null=True, blank=True)
    rating = models.CharField(max_length=16, blank=True, default="")
    present_count = models.PositiveIntegerField(default=0)
    eligible_count = models.PositiveIntegerField(default=0)
    # The earliest finalised thematic meeting (CHUYEN_DE / KET_HOP) of the month dated on or after its first day:
    # B2 counts the month's quarter when this date is within the month's grace.
    thematic_date = models.DateField(null=True, blank=True)
    # The month's first and last day, so that a read compares columns (is the date within the month and its grace,
    # did the cell exist then) instead of one condition per month of the period.
    month_start = models.DateField(null=True)
    month_end = models.DateField(null=True)

    FACTS = ("status", "date", "rating", "present_count", "eligible_count", "thematic_date")

    class Meta:
        verbose_name = _("kept monthly meeting summary")
        verbose_name_plural = _("kept monthly meeting summaries")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "period_year", "period_month"), name="meetings_summary_one_per_month"
            )
        ]
        indexes = [models.Index(fields=["period_year", "period_month"], name="meetings_summary_period_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.period_month:02d}/{self.period_year}"

    def facts(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FACTS)


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
        db_table = "cells_attendance"
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
        db_table = "cells_temporaryattendance"
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
        db_table = "cells_meetingattachment"
        ordering = ["meeting", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class MeetingScore(models.Model):
    """Points given to one item of the scoring template for one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(MeetingScoreItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=5, decimal_places=1)
    automatic = models.BooleanField(default=False)

    class Meta:
        db_table = "cells_meetingscore"
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
        db_table = "cells_monthlyguidance"
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
        db_table = "cells_notification"
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=("user", "key"), name="cells_notification_unique_key")]

    def __str__(self) -> str:
        return self.message[:80]
