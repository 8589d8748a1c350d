"""Rebuild the object permissions (django-guardian) from memberships and partnerships."""

from django.core.management.base import BaseCommand

from scrutiny.casework import grants


class Command(BaseCommand):
    help = "Rebuild role groups and topic object permissions from the casework."

    def handle(self, *args, **options):
        summary = grants.sync_all()
        self.stdout.write(
            "Permissions synchronised: "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items())
        )
