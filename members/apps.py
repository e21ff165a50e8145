from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cells import hooks


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Party members")

    def ready(self):
        # import here: an app's modules may use models only once every app is loaded (Django app loading).
        from members import people, selectors, services, views

        hooks.member_id_for_user.provide(services.member_id_for_user)
        hooks.members_on_roll.provide(services.members_on_roll)
        hooks.move_members_on_merge.provide(services.move_members_on_merge)
        hooks.member_counts_by_organization.provide(selectors.member_counts_by_organization)
        hooks.fill_member_counts.provide(selectors.fill_member_counts)
        hooks.structure_warnings.provide(selectors.structure_warnings)
        hooks.organization_page_context.provide(views.organization_page_context)
        hooks.people_for_users.provide(people.people_for_users)
