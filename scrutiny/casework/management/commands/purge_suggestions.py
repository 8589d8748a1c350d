"""Delete suggesters' names and e-mail addresses once the retention period has passed."""

from django.core.management.base import BaseCommand

from scrutiny.casework.suggestions import retention_days, suggestions_purge_personal_details


class Command(BaseCommand):
    help = (
        "Delete the personal details of residents' topic suggestions older than "
        "CF_SUGGESTION_RETENTION_DAYS (default 180). Safe to run daily."
    )

    def handle(self, *args, **options):
        deleted = suggestions_purge_personal_details()
        self.stdout.write(
            f"Deleted the personal details of {deleted} suggestion(s) older than "
            f"{retention_days()} days."
        )
