from django.contrib import admin

from members.models import Member, Position


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("full_name", "organization", "status", "party_card_no")
    list_filter = ("status",)
    search_fields = ("full_name", "party_card_no")
    raw_id_fields = ("organization", "user")


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("member", "role", "organization", "started_on", "ended_on")
    raw_id_fields = ("member", "organization")
