"""Write residents' weekly digests of the last complete week, and forget unconfirmed addresses."""

from django.core.management.base import BaseCommand

from scrutiny.casework.following import follow_digests_write, follow_purge


class Command(BaseCommand):
    help = (
        "Write each weekly subscriber one e-mail of the last complete week's changes to what "
        "they follow (once per week, however often it runs), and delete subscriptions never "
        "confirmed whose links have expired. Safe to run hourly."
    )

    def handle(self, *args, **options):
        done = follow_digests_write()
        purged = follow_purge()
        self.stdout.write(
            f"Weekly digests: {done['digests']} written for {done['subscriptions']} "
            f"subscription(s); {purged} unconfirmed subscription(s) deleted."
        )
