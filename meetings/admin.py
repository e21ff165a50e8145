from django.contrib import admin

from meetings.models import MeetingScoreItem, MeetingScoreTemplate

admin.site.register(MeetingScoreTemplate)
admin.site.register(MeetingScoreItem)
