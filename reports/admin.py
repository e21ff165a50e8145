from django.contrib import admin

from reports.models import Report, ReportDownload, ReportSchedule


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
    list_display = ("id", "kind", "organization", "year", "quarter", "month", "status", "progress", "created_at")
    list_filter = ("status", "kind")
    raw_id_fields = ("organization", "requested_by", "schedule", "parameter_set")


admin.site.register(ReportDownload)
