"""Notices of asks: a health body is told at once when it is sent a request for information or a
recommendation, and when one is withdrawn.

Who is told (`ask_addressees`): every active responder of the body and the body's own address
(its "where requests go" address, else its general one), each once. The same people receive the
item's reminders, overdue notices and due-date moves (`deadline_sources` lists them), so nobody
hears of an ask for the first time from a reminder. A body with nobody to tell is the officer's
to know before issuing (`nobody_to_tell`) and stays on the dashboard until somebody was told
(`selectors.asks_nobody_received`).

The notices are outbox notifications (`workflows.notifications`), written in the transaction of
the issue or withdrawal and linked to the item, so the item's page shows to whom each went and
whether it was sent.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from scrutiny.casework.models import AddressedItem, Organisation
from scrutiny.casework.policy import People
from scrutiny.casework.roles import Perm
from workflows.calendar import fmt
from workflows.models import Notification, NotificationKind
from workflows.notifications import absolute_url, notification_write
from workflows.recipients import Mailbox, recipients_unique

NOUNS = {"information_request": "request for information", "recommendation": "recommendation"}


def ask_addressees(body: Organisation, people: People | None = None) -> list:
    """The body's active responders, then its own address unless one of them has it."""
    people = people or People([body.pk])
    mailbox = [Mailbox(body.asks_address, body.name)] if body.asks_address else []
    return [
        r
        for r in recipients_unique([*people.holding([body.pk], Perm.RESPOND), *mailbox])
        if r.is_active and r.email
    ]


def nobody_to_tell(body: Organisation) -> bool:
    """True when an ask to `body` would reach no one: no address and no responder."""
    return not ask_addressees(body)


def unreachable_bodies(bodies) -> set[int]:
    """The ids of those of `bodies` an ask would reach no one at (one query)."""
    bodies = {b.pk: b for b in bodies}
    people = People(bodies)
    return {pk for pk, body in bodies.items() if not ask_addressees(body, people)}


def unreached_filter(model) -> Q:
    """Issued items of `model` whose notice reached nobody: none was written, or every one
    failed. An annotation-free filter, for the dashboard's one query per kind."""
    ctype = ContentType.objects.get_for_model(model)
    told = Notification.objects.filter(
        content_type=ctype,
        object_id=OuterRef("pk"),
        kind=NotificationKind.ASK_ISSUED,
    ).exclude(state=Notification.State.FAILED)
    return Q(issued_on__isnull=False) & ~Exists(told)


def notices_by_item(items) -> dict[tuple[int, int], list[Notification]]:
    """The notices of asks sent about `items` (requests and recommendations, mixed), keyed by
    (content type id, item id), oldest first: one query."""
    keys = {(ContentType.objects.get_for_model(type(i)).pk, i.pk) for i in items}
    if not keys:
        return {}
    q = Q()
    for ctype_id in {c for c, _ in keys}:
        q |= Q(content_type_id=ctype_id, object_id__in=[pk for c, pk in keys if c == ctype_id])
    out: dict[tuple[int, int], list[Notification]] = {}
    rows = Notification.objects.filter(
        q, kind__in=[NotificationKind.ASK_ISSUED, NotificationKind.ASK_WITHDRAWN]
    ).order_by("created_at", "id")
    for n in rows:
        n.bounced = n.state == Notification.State.FAILED and n.last_error.startswith("Bounced")
        out.setdefault((n.content_type_id, n.object_id), []).append(n)
    return out


def item_key(item) -> tuple[int, int]:
    return ContentType.objects.get_for_model(type(item)).pk, item.pk


_KINDS = {"informationrequest": "information_request", "recommendation": "recommendation"}


def _kind(item: AddressedItem) -> str:
    return _KINDS[item._meta.model_name]


def ask_reference(item: AddressedItem) -> str:
    """The reference a notice's subject carries ("CF-R12" for request 12, "CF-M3" for
    recommendation 3), so a reply can be matched to its item."""
    return f"CF-{'R' if _kind(item) == 'information_request' else 'M'}{item.pk}"


def _reply_to(item: AddressedItem, by) -> str:
    return (getattr(by, "email", "") or item.asking_body.email or "").strip()


def _context(item: AddressedItem, by) -> dict:
    rule = item.due_rule
    return {
        "ask": item,
        "noun": NOUNS[_kind(item)],
        "reference": ask_reference(item),
        "asker": item.asking_body,
        "officer": by,
        "reply_to": _reply_to(item, by),
        "power": (rule.source or rule.name) if rule else "",
        "due": fmt(item.due_on) if item.due_on else "",
        "due_explanation": item.due_explanation,
        "link": absolute_url(item.get_absolute_url()),
        "topic_title": item.topic.title,
    }


def _write(item: AddressedItem, *, by, event: str, kind: str, subject: str, template: str, extra):
    context = _context(item, by) | extra
    written = []
    for recipient in ask_addressees(item.recipient):
        n = notification_write(
            event_key=f"{_kind(item)}:{item.pk}:{event}",
            kind=kind,
            recipient=recipient,
            subject=f"{subject} [{context['reference']}]",
            template=template,
            context=context,
            obj=item,
            link=context["link"],
            reply_to=context["reply_to"],
        )
        if n is not None:
            written.append(n)
    return written


def notify_ask_issued(item: AddressedItem, *, by) -> list[Notification]:
    """Tell the health body what it is asked, by whom, under which power, by when, and how to
    answer. Call in the transaction that issued `item`."""
    noun = NOUNS[_kind(item)]
    return _write(
        item,
        by=by,
        event="issued",
        kind=NotificationKind.ASK_ISSUED,
        subject=f"{noun[0].upper()}{noun[1:]} from {item.asking_body}: due {fmt(item.due_on)}",
        template="ask_issued",
        extra={},
    )


def notify_ask_withdrawn(item: AddressedItem, *, by, reason: str) -> list[Notification]:
    """Tell the health body an issued item was withdrawn, and why: no answer is now owed."""
    noun = NOUNS[_kind(item)]
    return _write(
        item,
        by=by,
        event="withdrawn",
        kind=NotificationKind.ASK_WITHDRAWN,
        subject=f"Withdrawn: {noun} from {item.asking_body}",
        template="ask_withdrawn",
        extra={"reason": reason},
    )
