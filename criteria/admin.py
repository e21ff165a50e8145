from django.contrib import admin

from criteria.models import RegulationDocument, RuleParameterSet

admin.site.register(RegulationDocument)
admin.site.register(RuleParameterSet)
