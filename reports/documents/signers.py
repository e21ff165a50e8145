"""Who signs: proposed from the issuing organisation's current committee seats (members.Position)."""

from django.db.models import Q
from django.utils import timezone

from cells.models import Organization
from members.models import Position


def propose_signer(organization: Organization, *, on=None) -> dict:
    """The secretary signs as "BÍ THƯ"; without one, a deputy signs for the secretary ("K/T BÍ THƯ" above
    "PHÓ BÍ THƯ", HD 36-HD/VPTW). Empty when the committee has neither seat filled (staff then type the signer)."""
    on = on or timezone.localdate()
    seats = (
        Position.objects.filter(
            organization=organization,
            role__in=(Position.Role.SECRETARY, Position.Role.DEPUTY_SECRETARY),
        )
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("member")
        .order_by("role", "started_on", "pk")
    )
    by_role: dict[str, Position] = {}
    for seat in seats:
        by_role.setdefault(seat.role, seat)
    if Position.Role.SECRETARY in by_role:
        return {"position": "BÍ THƯ", "name": by_role[Position.Role.SECRETARY].member.full_name}
    if Position.Role.DEPUTY_SECRETARY in by_role:
        return {"position": "K/T BÍ THƯ\nPHÓ BÍ THƯ", "name": by_role[Position.Role.DEPUTY_SECRETARY].member.full_name}
    return {"position": "", "name": ""}
