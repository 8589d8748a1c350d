"""Keep one e-mail read from standard input, as an MTA pipes it (e.g. Postfix's
`cf-replies: "|/srv/cf/.venv/bin/python /srv/cf/manage.py receive_email"`).

Exit status 0 when it was kept (or was a duplicate), 0 also for a refused message (too large,
unparsable) so the MTA does not bounce it back to the sender: the refusal is logged.
"""

import sys

from django.core.management.base import BaseCommand

from scrutiny.casework.inbound import email_receive_safely


class Command(BaseCommand):
    help = "Keep one RFC 5322 e-mail read from standard input (replies to notices of asks)."

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        email = email_receive_safely(raw)
        if email is None:
            self.stderr.write("Message refused; see the log.")
            return
        self.stdout.write(f"Kept as inbound e-mail {email.pk}: {email.get_state_display()}.")
