from django.contrib import admin

from cells.models import AuditEntry, Organization, RoleAssignment


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "unit_type", "dissolved_on")
    list_filter = ("kind", "unit_type")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth")
    raw_id_fields = ("parent", "merged_into")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organization")
    list_filter = ("role",)
    raw_id_fields = ("user", "organization", "granted_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "message")
    list_filter = ("action",)
    raw_id_fields = ("actor", "organization")
