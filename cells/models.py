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
    # Bumped by every save of the edit form's fields (cells.services), so that two people editing the same
    # organisation cannot silently overwrite each other (cells.concurrency.check_version).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
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
        self.search_text = fold(
            " ".join([self.name, self.code, self.host_unit_name]), self._meta.get_field("search_text").max_length
        )

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


class SubmittedForm(models.Model):
    """A form that has been sent once (its idempotency token), written in the same transaction as what it
    created or changed: the same form sent again (a double click, a resent request) lands on the first one's
    result instead of doing it twice. See cells.concurrency.submit_once."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")

    def __str__(self) -> str:
        return str(self.token)


class Holiday(models.Model):
    """One day of the public-holiday calendar (Vietnamese UI term: "Ngày nghỉ lễ, Tết"): a weekday that is not a
    working day (a public holiday, Tết, a compensatory or swapped day off), or a Saturday or Sunday worked in exchange
    for one (ngày làm bù). Data the committee edits (cells/holidays/); every working-day deadline reads it through
    cells.calendar."""

    class Kind(models.TextChoices):
        DAY_OFF = "NGHI", _("Day off (public holiday, Tết, compensatory day)")
        WORKING_DAY = "LAM_BU", _("Make-up working day (a weekend day worked)")

    date = models.DateField(
        _("date"),
        unique=True,
        error_messages={"unique": _("This date is already in the holiday calendar.")},
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DAY_OFF)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("The announcement this date comes from, e.g. Thông báo số …/TB-BNV."),
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class FiguresStamp(models.Model):
    """The version of the figures of a subtree (cells/figcache.py): a random token replaced by every write that
    changes a figure under the node, in the writer's transaction. `node` is an Organization id, or 0 (figcache.TREE)
    for what every subtree's figures depend on: the tree itself, the rule parameters, the holiday calendar. Not a
    foreign key: a stamp outlives nothing and is never read through the ORM's relations."""

    node = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("figures stamp")
        verbose_name_plural = _("figures stamps")

    def __str__(self) -> str:
        return f"{self.node}: {self.version}"
