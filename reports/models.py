from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cells.models import Organization


class Report(models.Model):
    """A request for a PDF progress report and its result (Vietnamese UI term: "Báo cáo").

    The record is the source of truth for the build's state: a Celery task (or the request itself in eager
    mode) takes its id, marks it running with progress, and leaves it done with the file and its SHA-256, or
    failed with the error. A build that stops hearing from its worker is found by `reports.services.requeue_stale`.
    """

    class Kind(models.TextChoices):
        COMPLIANCE = "compliance", _("Meeting compliance")
        EVALUATION = "evaluation", _("Yearly evaluation results")
        MODEL_CELLS = "model_cells", _("Model-cell progress")
        CELL_PROFILE = "cell_profile", _("Cell profile")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Waiting")
        RUNNING = "RUNNING", _("Being built")
        DONE = "DONE", _("Ready")
        FAILED = "FAILED", _("Failed")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    kind = models.CharField(_("kind of report"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="reports", verbose_name=_("for")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    schedule = models.ForeignKey(
        "ReportSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    status = models.CharField(_("state"), max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True)
    parameter_set = models.ForeignKey(
        "criteria.RuleParameterSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rules used"),
    )
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    figures = models.JSONField(default=dict, blank=True)

    # The document (HD 36-HD/VPTW): a built report is a draft; staff issue it (reports/documents/issuing.py), which
    # gives it a number from the issuer's register, a date, a signer and recipients, and freezes its bytes.
    class State(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        ISSUED = "ISSUED", _("Issued")

    # What issuing writes, once (reports/documents/issuing.py), and the admin shows read-only.
    ISSUE_FIELDS = (
        "state",
        "number",
        "symbol",
        "issued_on",
        "signer_authority",
        "signer_position",
        "signer_name",
        "recipients",
        "issued_by",
        "issued_at",
        "issued_pdf",
        "issued_sha256",
    )

    state = models.CharField(_("document state"), max_length=8, choices=State.choices, default=State.DRAFT)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("number and symbol"), max_length=60, blank=True, help_text=_("e.g. 12-BC/ĐUK"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    signer_authority = models.CharField(_("authority line"), max_length=100, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_pdf = models.FileField(_("issued PDF"), upload_to="reports/issued/%Y/", blank=True)
    issued_sha256 = models.CharField(_("SHA-256 of the issued PDF"), max_length=64, blank=True)
    # Staff-edited sections of the draft: {section key: [paragraph, ...]}; they win over the drafted text.
    narrative = models.JSONField(default=dict, blank=True)
    narrative_version = models.PositiveIntegerField(default=1)
    # The sections as the builder drafted them at the last build (before staff edits): what the edit page offers.
    drafted_sections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="reports_status_heartbeat_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organization} — {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.month:
            return f"{self.month:02d}/{self.year}"
        if self.quarter:
            return f"Q{self.quarter}/{self.year}"
        return str(self.year)

    @property
    def period_display(self) -> str:
        """The period in words for documents: "tháng 05/2025", "quý II/2025", "năm 2025"."""
        if self.month:
            return gettext("month %(month)02d/%(year)s") % {"month": self.month, "year": self.year}
        if self.quarter:
            return gettext("quarter %(quarter)s/%(year)s") % {
                "quarter": "I II III IV".split()[self.quarter - 1],
                "year": self.year,
            }
        return gettext("year %(year)s") % {"year": self.year}

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_issued(self) -> bool:
        return self.state == self.State.ISSUED


class IssuerSettings(models.Model):
    """How an organisation's committee names itself on the documents it issues (HD 36-HD/VPTW header and
    signature), kept on the tree node. Empty fields fall back to defaults derived from the node's kind and parent
    (reports/documents/settings.py), so staff see what will print before they set anything."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="issuer_settings", verbose_name=_("organisation")
    )
    issuer_name = models.CharField(
        _("name as issuer"), max_length=255, blank=True, help_text=_("e.g. ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH")
    )
    body_above = models.CharField(_("body above"), max_length=255, blank=True, help_text=_("e.g. ĐẢNG BỘ TỈNH YÊN BÁI"))
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True, help_text=_("e.g. ĐUK"))
    place = models.CharField(_("place name"), max_length=100, blank=True, help_text=_("e.g. Yên Bái"))
    authority = models.CharField(_("authority line"), max_length=100, blank=True, help_text=_("e.g. T/M BAN THƯỜNG VỤ"))
    # {kind of report: "- Recipient\n- Lưu VP"}: the recipients proposed when a report of that kind is issued.
    recipients = models.JSONField(_("recipients per kind"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document settings")
        verbose_name_plural = _("document settings")

    def __str__(self) -> str:
        return str(self.organization)


class NumberCounter(models.Model):
    """The last number given by an issuer in a year: the row locked while a number is taken (one at a time)."""

    issuer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="reports_counter_issuer_year")]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.year}: {self.last_number}"


class OutgoingNumber(models.Model):
    """One line of the register of outgoing documents (sổ đăng ký văn bản đi): a number once taken stays taken,
    even when the issuing that took it failed afterwards (then `report` is left without the number)."""

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("number and symbol"), max_length=60)
    report = models.ForeignKey(
        Report, null=True, on_delete=models.SET_NULL, related_name="numbers", verbose_name=_("report")
    )
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "number"], name="reports_outgoing_number_unique")
        ]

    def __str__(self) -> str:
        return self.symbol


class ReportDownload(models.Model):
    """Every download of a report file, for the record."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file_format = models.CharField(max_length=8)
    downloaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("report download")
        verbose_name_plural = _("report downloads")

    def __str__(self) -> str:
        return f"{self.report_id} {self.file_format} {self.downloaded_at:%Y-%m-%d %H:%M}"


class ReportSchedule(models.Model):
    """A report built periodically by Celery beat for every grassroots organisation and/or the root
    (Vietnamese UI term: "Lịch lập báo cáo"). Editable by administrators; failures are counted and shown."""

    class Frequency(models.TextChoices):
        MONTHLY = "MONTHLY", _("Monthly")
        QUARTERLY = "QUARTERLY", _("Quarterly")
        YEARLY = "YEARLY", _("Yearly")

    class Targets(models.TextChoices):
        ROOT = "ROOT", _("The root only")
        GRASSROOTS = "GRASSROOTS", _("Every grassroots organisation")
        BOTH = "BOTH", _("The root and every grassroots organisation")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of report"), max_length=20, choices=Report.Kind.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=3)
    root = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("root"))
    targets = models.CharField(_("build for"), max_length=12, choices=Targets.choices, default=Targets.BOTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Reports are bounded by what this user may see."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_period = models.CharField(max_length=20, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self) -> str:
        return self.name
