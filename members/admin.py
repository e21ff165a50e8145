from django.contrib import admin

from members import counts
from members.models import Member, Position


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("full_name", "organization", "status", "party_card_no")
    list_filter = ("status",)
    search_fields = ("full_name", "party_card_no")
    raw_id_fields = ("organization", "user")

    # The admin writes past the services: keep the member counts (members.counts) in its transaction too.
    def save_model(self, request, obj, form, change):
        before = Member.objects.filter(pk=obj.pk).values_list("organization_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        counts.refresh([before, obj.organization_id])

    def delete_model(self, request, obj):
        organization_id = obj.organization_id
        super().delete_model(request, obj)
        counts.refresh([organization_id])

    def delete_queryset(self, request, queryset):
        organization_ids = set(queryset.values_list("organization_id", flat=True))
        super().delete_queryset(request, queryset)
        counts.refresh(organization_ids)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("member", "role", "organization", "started_on", "ended_on")
    raw_id_fields = ("member", "organization")
