"""Import an area's health bodies from an NHS ODS CSV export (docs/health-body-register.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scrutiny.casework.models import Organisation
from scrutiny.casework.services.register import health_bodies_import_ods
from workflows.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Import health bodies from an ODS CSV file (the legacy downloads such as etr.csv, or a "
        "Data Search and Export CSV). Idempotent on the ODS code; if any row is bad, nothing "
        "is written and every bad row is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The ODS CSV file.")
        parser.add_argument(
            "--kind",
            default=Organisation.HealthBodyKind.NHS_TRUST,
            choices=Organisation.HealthBodyKind.values,
            help="What kind of health body the file lists (default: nhs_trust).",
        )
        parser.add_argument("--area", default="", help="The council area the bodies serve.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file.") from exc
        except UnicodeDecodeError:
            text = path.read_bytes().decode("cp1252")
        try:
            result = health_bodies_import_ods(
                text=text, health_body_kind=options["kind"], area=options["area"]
            )
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        if result.problems:
            for line, message in result.problems:
                where = f"line {line}" if line else "file"
                self.stderr.write(f"{path}, {where}: {message}")
            raise CommandError(
                f"Nothing imported: {len(result.problems)} bad row(s). Correct them and run again."
            )
        self.stdout.write(
            f"{len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged, {len(result.closed)} closed (not imported)."
        )
