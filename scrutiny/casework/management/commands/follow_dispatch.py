"""Send residents' immediate notices of public changes to what they follow."""

from django.core.management.base import BaseCommand

from scrutiny.casework.following import follow_dispatch


class Command(BaseCommand):
    help = (
        "Match the public events of topics not yet dispatched against residents' immediate "
        "subscriptions and write their notices to the outbox. Safe to run every minute, from "
        "any number of schedulers: each event is dispatched once."
    )

    def handle(self, *args, **options):
        events = notices = 0
        while True:
            done = follow_dispatch()
            if not done["events"]:
                break
            events += done["events"]
            notices += done["notices"]
        self.stdout.write(f"Dispatched {events} event(s): {notices} notice(s) written.")
