from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from scrutiny import demo


class Command(BaseCommand):
    help = "Create or refresh the Northby and Southby demo area (idempotent) and print the logins."

    def handle(self, *args, **options):
        result = demo.seed()
        lines = []
        for dotted in getattr(settings, "CF_DEMO_SEEDERS", []):
            lines += list(import_string(dotted)(result) or [])
        state = "created" if result["created"] else "already present; people refreshed"
        self.stdout.write(self.style.SUCCESS(f"Demo area {state}: Northby and Southby."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {demo.demo_password()}):")
        for username, role in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<26} {role}")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/")
