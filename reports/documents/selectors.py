"""Reads of the document side: the register of issued documents in the user's scope."""

from django.db.models import Q, QuerySet

from cells.permissions import REPORTS, scope_filter
from reports.models import Report


def issued_documents(*, user, number: str = "", kind: str = "", year: int | None = None, text: str = "") -> QuerySet:
    """Issued reports the user may see (REPORTS in their subtree), newest number first; a fixed number of queries
    whatever the page shows (the issuer and the signer's account come in the same query)."""
    documents = (
        Report.objects.filter(scope_filter(user, prefix="organization__", action=REPORTS), state=Report.State.ISSUED)
        .select_related("organization__parent", "issued_by")
        .order_by("-issued_on", "-number", "-pk")
    )
    if number:
        match = Q(symbol__icontains=number)
        if number.isdigit() and len(number) <= 9:
            match |= Q(number=int(number))
        documents = documents.filter(match)
    if kind:
        documents = documents.filter(kind=kind)
    if year is not None:
        documents = documents.filter(year=year)
    if text:
        documents = documents.filter(
            Q(organization__name__icontains=text)
            | Q(signer_name__icontains=text)
            | Q(recipients__icontains=text)
            | Q(symbol__icontains=text)
        )
    return documents
