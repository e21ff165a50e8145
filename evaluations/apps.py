from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        # import here: an app's modules may use models only once every app is loaded (Django app loading).
        from cells import hooks
        from evaluations import member_history

        # A member's record page (members, below both): the attendance (meetings) and the ratings, provided here
        # together so that one ready() fills them (README, How the code is laid out).
        hooks.member_attendance_history.provide(member_history.member_attendance_history)
        hooks.member_rating_history.provide(member_history.member_rating_history)
