from django.contrib import admin

from criteria.models import RegulationDocument, RuleParameterSet

admin.site.register(RegulationDocument)
admin.site.register(RuleParameterSet)


from criteria.models import CriteriaSet, Criterion, CriterionGroup, MeetingScoreItem, MeetingScoreTemplate  # noqa: E402

admin.site.register(CriteriaSet)
admin.site.register(CriterionGroup)
admin.site.register(Criterion)
admin.site.register(MeetingScoreTemplate)
admin.site.register(MeetingScoreItem)
