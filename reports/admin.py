from django.contrib import admin

from reports.models import IssuerSettings, OutgoingNumber, Report, ReportDownload, ReportSchedule


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "frequency",
        "day_of_month",
        "root",
        "targets",
        "enabled",
        "failures",
        "last_period",
    )
    list_filter = ("enabled", "kind", "frequency")
    raw_id_fields = ("root", "owner")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "organization",
        "year",
        "quarter",
        "month",
        "status",
        "progress",
        "state",
        "symbol",
        "created_at",
    )
    list_filter = ("status", "state", "kind")
    raw_id_fields = ("organization", "requested_by", "schedule", "parameter_set", "issued_by")
    # An issued document is frozen (reports/documents/issuing.py): its record is read here, never edited.
    readonly_fields = Report.ISSUE_FIELDS


@admin.register(IssuerSettings)
class IssuerSettingsAdmin(admin.ModelAdmin):
    list_display = ("organization", "issuer_name", "abbreviation", "place", "authority")
    raw_id_fields = ("organization", "updated_by")
    readonly_fields = ("version", "updated_at", "updated_by")


@admin.register(OutgoingNumber)
class OutgoingNumberAdmin(admin.ModelAdmin):
    """The register of outgoing numbers: read only (a number once taken is never changed or given again)."""

    list_display = ("symbol", "issuer", "year", "number", "report", "taken_at")
    list_filter = ("year",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ReportDownload)
