from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for every app (`manage.py seed_demo`). No models; the top layer: nothing in the application
    imports it."""

    name = "demo"
    verbose_name = _("Demo data")
