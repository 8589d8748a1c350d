"""The topic access index, derived from the casework (docs/decisions/0019-visibility-at-scale.md).

Memberships and partnerships are the source of truth; `TopicAccess` is an index built from them
so that "which topics may this user see" is one indexed semi-join. One row per (body, topic):

- the topic's body, or every party of its partnership (`as_party`): its staff hold on the topic
  what their role gives (`scrutiny.casework.roles.ROLE_TOPIC_PERMS`);
- every health body something on the topic was ever issued to (`issued_on` set, `as_recipient`):
  its responders may see the topic's title and summary.

The services that change those facts call these (topic_raise, the issue services, partnership
services); the admin and the test factories go through the same services. Nothing else grants;
views never do. A membership needs no row: roles are read from `Membership` per request.
`sync_all()` (the `sync_permissions` command) rebuilds every row, a chunk of topics at a time.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction

from scrutiny.casework.models import (
    InformationRequest,
    Partnership,
    Recommendation,
    Topic,
    TopicAccess,
)

log = logging.getLogger(__name__)

# Topics per chunk of `sync_all`: bounds its memory and each transaction.
SYNC_CHUNK = 2000


def _partnership_parties(partnership_ids) -> dict[int, set[int]]:
    parties: dict[int, set[int]] = defaultdict(set)
    for pk, network_id in Partnership.objects.filter(pk__in=partnership_ids).values_list(
        "pk", "involvement_network_id"
    ):
        parties[pk].add(network_id)
    through = Partnership.scrutiny_committees.through
    for pk, org_id in through.objects.filter(partnership_id__in=partnership_ids).values_list(
        "partnership_id", "organisation_id"
    ):
        parties[pk].add(org_id)
    return parties


def _issued_recipients(topic_ids) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for model in (InformationRequest, Recommendation):
        rows = model.all_objects.issued().filter(topic_id__in=topic_ids)
        for topic_id, org_id in rows.values_list("topic_id", "recipient_id").distinct():
            found[topic_id].add(org_id)
    return found


def topic_access_rows(parties, recipients) -> dict[int, tuple[bool, bool]]:
    """The one rule: {organisation id: (as party, as recipient)} for a topic whose party bodies
    are `parties` and whose issued items went to `recipients` (bulk loaders use it too)."""
    rows = {org_id: (True, False) for org_id in set(parties) - {None}}
    for org_id in recipients:
        rows[org_id] = (org_id in rows, True)
    return rows


def _wanted(topics, parties_of, recipients_of) -> dict[tuple[int, int], tuple[bool, bool]]:
    """{(organisation id, topic id): (as party, as recipient)} that the casework calls for."""
    wanted: dict[tuple[int, int], tuple[bool, bool]] = {}
    for topic_id, partnership_id, body_id in topics:
        parties = parties_of.get(partnership_id, set()) if partnership_id else {body_id}
        rows = topic_access_rows(parties, recipients_of.get(topic_id, ()))
        wanted.update({(org_id, topic_id): flags for org_id, flags in rows.items()})
    return wanted


def _rebuild(topics: list[tuple[int, int | None, int | None]]) -> tuple[int, int]:
    """Make the rows of `topics` ((pk, partnership id, body id)) exactly what the casework
    calls for, in a fixed number of queries. Returns (added or changed, removed)."""
    if not topics:
        return 0, 0
    topic_ids = [t[0] for t in topics]
    parties_of = _partnership_parties({t[1] for t in topics if t[1]})
    wanted = _wanted(topics, parties_of, _issued_recipients(topic_ids))
    existing = {
        (org, topic): (pk, party, recipient)
        for pk, org, topic, party, recipient in TopicAccess.objects.filter(
            topic_id__in=topic_ids
        ).values_list("pk", "organisation_id", "topic_id", "as_party", "as_recipient")
    }
    stale = [row[0] for key, row in existing.items() if key not in wanted]
    changed = [
        TopicAccess(pk=existing[key][0], as_party=flags[0], as_recipient=flags[1])
        for key, flags in wanted.items()
        if key in existing and existing[key][1:] != flags
    ]
    new = [
        TopicAccess(organisation_id=org, topic_id=topic, as_party=party, as_recipient=recipient)
        for (org, topic), (party, recipient) in wanted.items()
        if (org, topic) not in existing
    ]
    if stale:
        TopicAccess.objects.filter(pk__in=stale).delete()
    if changed:
        TopicAccess.objects.bulk_update(changed, ["as_party", "as_recipient"], batch_size=500)
    TopicAccess.objects.bulk_create(new, batch_size=500)
    return len(new) + len(changed), len(stale)


def _topic_rows(topic_qs):
    return list(topic_qs.values_list("pk", "partnership_id", "body_id"))


def topic_grant(topic) -> None:
    """Grant (and revoke) the bodies' access to one topic."""
    with transaction.atomic():
        _rebuild(_topic_rows(Topic.objects.filter(pk=topic.pk)))


def responder_grant(*, topic_id: int, body_id: int) -> None:
    """Something was issued to health body `body_id` on the topic: its responders may now see the
    topic's title and summary."""
    row, created = TopicAccess.objects.get_or_create(
        organisation_id=body_id, topic_id=topic_id, defaults={"as_recipient": True}
    )
    if not created and not row.as_recipient:
        TopicAccess.objects.filter(pk=row.pk).update(as_recipient=True)


def partnership_regrant(partnership) -> None:
    """The partnership's parties changed: rebuild the access to every topic it shares, a chunk
    of topics at a time."""
    with transaction.atomic():
        for chunk in _chunks(partnership.topics.all()):
            _rebuild(chunk)


def _chunks(topic_qs, size: int = SYNC_CHUNK):
    """The (pk, partnership id, body id) of `topic_qs` in pk order, `size` at a time, each chunk
    a keyset query (no OFFSET, no cursor held between chunks)."""
    last = 0
    while True:
        chunk = _topic_rows(topic_qs.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


# --- everything ------------------------------------------------------------------------------


def sync_all(*, chunk_size: int = SYNC_CHUNK) -> dict[str, int]:
    """Rebuild every topic's access rows from the casework, one transaction per chunk of topics:
    memory and row locks are bounded by the chunk, not by the country."""
    added = removed = 0
    for chunk in _chunks(Topic.objects.all(), chunk_size):
        with transaction.atomic():
            a, r = _rebuild(chunk)
        added, removed = added + a, removed + r
    summary = {"grants_added": added, "grants_removed": removed}
    log.info("permissions synchronised: %s", summary)
    return summary
