"""Fetch the unseen messages of an IMAP mailbox and keep each (replies to notices of asks).

Settings (environment): CF_INBOUND_IMAP_HOST, CF_INBOUND_IMAP_PORT (993), CF_INBOUND_IMAP_USER,
CF_INBOUND_IMAP_PASSWORD, CF_INBOUND_IMAP_FOLDER (INBOX). Each message is marked seen once kept
or refused, so a malformed or huge message is logged and passed over, never fetched forever.
Run it from the scheduler or cron every few minutes; `--loop SECONDS` keeps polling.
"""

import contextlib
import imaplib
import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scrutiny.casework.inbound import email_receive_safely

log = logging.getLogger(__name__)


def poll_once(connection) -> int:
    """Keep every unseen message of the selected folder; return how many were looked at."""
    status, data = connection.search(None, "UNSEEN")
    if status != "OK":
        raise CommandError(f"IMAP search failed: {status}")
    numbers = data[0].split() if data and data[0] else []
    for number in numbers:
        status, parts = connection.fetch(number, "(BODY.PEEK[])")
        raw = next((p[1] for p in parts or () if isinstance(p, tuple)), None)
        if status == "OK" and raw is not None:
            email_receive_safely(raw)
        else:
            log.warning("IMAP fetch of message %s failed: %s", number, status)
        connection.store(number, "+FLAGS", "\\Seen")
    return len(numbers)


class Command(BaseCommand):
    help = "Keep the unseen messages of the replies mailbox (IMAP)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args, loop=0, **options):
        host = getattr(settings, "CF_INBOUND_IMAP_HOST", "")
        if not host:
            raise CommandError("Set CF_INBOUND_IMAP_HOST (and _USER, _PASSWORD) to poll a mailbox.")
        while True:
            connection = imaplib.IMAP4_SSL(host, int(settings.CF_INBOUND_IMAP_PORT))
            try:
                connection.login(settings.CF_INBOUND_IMAP_USER, settings.CF_INBOUND_IMAP_PASSWORD)
                connection.select(settings.CF_INBOUND_IMAP_FOLDER)
                seen = poll_once(connection)
                self.stdout.write(f"{seen} message(s) looked at.")
            finally:
                with contextlib.suppress(imaplib.IMAP4.error, OSError):
                    connection.logout()
            if not loop:
                return
            time.sleep(loop)
