from django.conf import settings
from django.core.management.base import BaseCommand

from scrutiny.demo import (
    annual,
    api_keys,
    consultations,
    decisions,
    follow,
    governance,
    joint_working,
    visits,
)
from scrutiny.demo import casework as demo


class Command(BaseCommand):
    help = "Create or refresh the Northby and Southby demo area (idempotent) and print the logins."

    def handle(self, *args, **options):
        result = demo.seed()
        lines = [*joint_working.seed_demo(result), *api_keys.seed_api_keys(result)]
        lines += consultations.seed_consultations(result)
        lines += visits.seed_demo(result)
        lines += governance.seed_demo(result, demo.demo_password())
        lines += decisions.seed_demo(result)
        lines += annual.seed_demo(result)
        lines += follow.seed_demo(result)
        state = "created" if result["created"] else "already present; people refreshed"
        self.stdout.write(self.style.SUCCESS(f"Demo area {state}: Northby and Southby."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {demo.demo_password()}):")
        for username, role in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<26} {role}")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/")
