"""Who a notification goes to: a user, or a `Mailbox` — an address with no account behind it.

A leaf module: the outbox (`workflows.notifications`) and the sweep both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mailbox:
    """An e-mail address with no account behind it (a health body's own address). It stands
    where a user would as a recipient: it has no preferences, so it receives every kind."""

    email: str
    name: str = ""
    pk = None
    is_active = True

    def get_username(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name


def recipients_unique(recipients: Iterable) -> list:
    """Each user once, in order; a mailbox once, and only when no user in the list has its
    address (the responder whose address is the body's address gets one e-mail, not two)."""
    recipients = list(recipients)
    user_addresses = {(r.email or "").lower() for r in recipients if r.pk is not None}
    out, users, mailboxes = [], set(), set()
    for r in recipients:
        if r.pk is not None:
            if r.pk not in users:
                users.add(r.pk)
                out.append(r)
            continue
        address = (r.email or "").lower()
        if address and address not in user_addresses and address not in mailboxes:
            mailboxes.add(address)
            out.append(r)
    return out
