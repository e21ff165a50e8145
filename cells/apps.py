from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CellsConfig(AppConfig):
    name = "cells"
    verbose_name = _("Organisation tree")

    def ready(self):
        # import here: the input policy renders templates and builds form fields, which needs the apps loaded.
        from cells import figcache, inputs  # noqa: F401 (figcache: its receivers, a tree or holiday change renews figures)

        # The input policy on every form field of text, once for the whole application (cells/inputs.py).
        inputs.install()
