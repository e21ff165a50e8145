"""Build a report synchronously through the same code as the web and the worker:

python manage.py build_report compliance --node DEMO --year 2025 --quarter 2 --output q2.pdf
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cells.models import Organization
from cells.permissions import Access
from reports.builders import BUILDERS
from reports.building import report_build
from reports.models import Report
from reports.services import validate_period


class OperatorUser:
    """The operator running the command sees the whole tree (the command is run on the server itself)."""

    is_authenticated = True
    is_superuser = True
    pk = None
    _chibo_access = Access(is_superuser=True)


class Command(BaseCommand):
    help = "Build a PDF report (and its .xlsx twin next to it) synchronously."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(BUILDERS))
        parser.add_argument("--node", required=True, help="code of the organisation (its whole subtree is covered)")
        parser.add_argument("--year", type=int, required=True)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--month", type=int)
        group.add_argument("--quarter", type=int)
        parser.add_argument("--output", required=True, help="path of the PDF to write")

    def handle(self, *args, kind, node, year, month, quarter, output, **options):
        organization = Organization.objects.filter(code__iexact=node).first()
        if organization is None:
            raise CommandError(f"No organisation has the code {node!r}.")
        try:
            validate_period(kind=kind, year=year, quarter=quarter, month=month, organization=organization)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        report = Report.objects.create(kind=kind, organization=organization, year=year, quarter=quarter, month=month)
        built = report_build(report_id=report.pk, as_user=OperatorUser())
        if built is None or built.status != Report.Status.DONE:
            raise CommandError("The report was not built.")
        path = Path(output)
        path.write_bytes(built.pdf.read())
        path.with_suffix(".xlsx").write_bytes(built.xlsx.read())
        self.stdout.write(
            f"{path} ({path.stat().st_size} bytes, sha256 {built.sha256}) and {path.with_suffix('.xlsx')}"
        )
        self.stdout.write(f"figures: {built.figures}")
