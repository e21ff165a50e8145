from django.contrib import admin

from criteria.models import CriteriaSet, Criterion, CriterionGroup, RegulationDocument, RuleParameterSet

admin.site.register(RegulationDocument)
admin.site.register(RuleParameterSet)
admin.site.register(CriteriaSet)
admin.site.register(CriterionGroup)
admin.site.register(Criterion)
