"""Who a login is, for the history (cells/history.py, through the hook cells.hooks.people_for_users): the party
member record linked to it and the committee seats that member holds now. One query whatever the number."""

from django.utils import timezone

from members.models import Member, Position


def people_for_users(user_ids) -> dict[int, tuple[str, list[tuple[int, str, str]]]]:
    """{user_id: (member's full name, [(organization_id, position label, organization name), ...])} for the logins
    linked to a member record; the seats are those not ended before today."""
    today = timezone.localdate()
    labels = dict(Position.Role.choices)
    people: dict[int, tuple[str, list]] = {}
    rows = (
        Member.objects.filter(user_id__in=set(user_ids))
        .values_list(
            "user_id",
            "full_name",
            "positions__organization_id",
            "positions__role",
            "positions__ended_on",
            "positions__organization__name",
        )
        .order_by("user_id", "positions__role")
    )
    for user_id, full_name, organization_id, role, ended_on, organization_name in rows:
        seats = people.setdefault(user_id, (full_name, []))[1]
        if organization_id is not None and (ended_on is None or ended_on >= today):
            seats.append((organization_id, str(labels.get(role, role)), organization_name))
    return people
