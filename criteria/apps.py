from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "criteria"
    verbose_name = _("Rules and criteria")

    def ready(self):
        # import here: an app's modules may use models only once every app is loaded (Django app loading).
        from cells import hooks
        from criteria import selectors

        hooks.parameters_on_days.provide(selectors.parameters_on_days)
