from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Cell meetings")

    def ready(self) -> None:
        # import here: registers the receivers that keep the month summaries (Django app loading, as signals need).
        from meetings import summaries  # noqa: F401
