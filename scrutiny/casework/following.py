"""Following the public record by e-mail: subscribe, confirm, unsubscribe, notices and digests.

A resident subscribes, with no account, to a topic, a health body, a committee or involvement
network, an area (partnership) or a saved search of /outcomes/ (`FollowTarget`), immediately or
weekly. Double opt-in: `follow_subscribe` writes the subscription unconfirmed and one
confirmation e-mail carrying a signed token that expires (`CF_FOLLOW_CONFIRM_DAYS`, default 7);
nothing else is sent until `follow_confirm`. Every message carries the one-click unsubscribe
(RFC 8058: `List-Unsubscribe` and `List-Unsubscribe-Post` headers, and a link);
`follow_unsubscribe` deletes the subscription, and the address with its last one.

Delivery reads the audit log past its own marks (docs/decisions/0010): `follow_dispatch()`
takes the public events of topics (`workflows.audit.PUBLIC_EVENTS`) that have no
`FollowDispatch`, and for each event on a topic residents can see writes one notice per
address whose immediate subscriptions match it, in the transaction that writes the mark.
`follow_digests_write()` writes each weekly subscriber one e-mail of the last complete week's
matching events, once (the subscription's `digest_through`, locked). Saved searches match
through the public search (`scrutiny.casework.search`). docs/decisions/0030-following.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from scrutiny.casework import publication
from scrutiny.casework.models import (
    FollowDispatch,
    Follower,
    FollowFrequency,
    FollowTarget,
    InformationRequest,
    Organisation,
    Partnership,
    Recommendation,
    Subscription,
    Topic,
)
from workflows.audit import PUBLIC_EVENTS, event_label, event_public_note
from workflows.errors import InvalidInput, NotFound
from workflows.models import AuditEvent, Notification, NotificationKind
from workflows.notifications import (
    absolute_url,
    notification_build,
    notification_write,
    notifications_write_many,
)
from workflows.recipients import Mailbox

SEARCH_FIELDS = ("q", "state", "health_body", "year")
SEARCH_MAX_LENGTH = 500
CONFIRM_SALT = "cf.follow.confirm"
UNSUBSCRIBE_SALT = "cf.follow.unsubscribe"
DISPATCH_BATCH = 200


def confirm_days() -> int:
    return int(getattr(settings, "CF_FOLLOW_CONFIRM_DAYS", 7))


# --- What is followed -----------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    """One thing that can be followed: what the subscription stores, and its words."""

    target: str
    key: str
    title: str
    page: str  # its public page (path)
    topic: Topic | None = None
    organisation: Organisation | None = None
    partnership: Partnership | None = None
    search: str = ""

    def fields(self) -> dict:
        return {
            "target": self.target,
            "topic": self.topic,
            "organisation": self.organisation,
            "partnership": self.partnership,
            "search": self.search,
        }


def search_normalise(params) -> str:
    """The canonical query string of a saved search: the filters of /outcomes/ that are set,
    in a fixed order (the page number and anything else dropped)."""
    pairs = []
    for name in SEARCH_FIELDS:
        value = (params.get(name) or "").strip()
        if value:
            pairs.append((name, value))
    return urlencode(pairs)


def search_words(search: str) -> str:
    """A saved search in words: "outcomes matching 'waiting', Northby NHS Trust"."""
    params = dict(parse_qsl(search))
    parts = []
    if params.get("q"):
        parts.append(f"matching '{params['q']}'")
    if params.get("health_body"):
        name = (
            Organisation.objects.filter(slug=params["health_body"])
            .values_list("name", flat=True)
            .first()
        )
        parts.append(f"about {name or params['health_body']}")
    if params.get("state"):
        parts.append(f"in state '{params['state'].replace('_', ' ')}'")
    if params.get("year"):
        parts.append(f"raised in {params['year']}")
    return "published outcomes " + (", ".join(parts) if parts else "(all of them)")


def search_topics(search: str):
    """The public topics a saved search finds: the same filters as /outcomes/, the public
    search for its words."""
    params = dict(parse_qsl(search))
    qs = publication.topics_published()
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("health_body"):
        body_id = (
            Organisation.objects.filter(
                kind=Organisation.Kind.HEALTH_BODY, slug=params["health_body"]
            )
            .values_list("pk", flat=True)
            .first()
        )
        qs = qs.filter(pk__in=publication.topic_ids_concerning(body_id=body_id))
    if params.get("year", "").isdigit():
        qs = qs.filter(created_at__year=int(params["year"]))
    if params.get("q"):
        qs = publication.topics_search(qs, params["q"])
    return qs


def followed(target: str, ref: str) -> Followed:
    """The thing `ref` names for `target` (a topic's number, a body's or area's slug, a saved
    search's query string), if residents can see it; NotFound otherwise."""
    ref = (ref or "").strip()
    if target == FollowTarget.TOPIC:
        topic = publication.topics_published().filter(pk=int(ref) if ref.isdigit() else 0).first()
        if topic is None:
            raise NotFound("No such published topic.")
        return Followed(
            target,
            f"topic:{topic.pk}",
            topic.title,
            reverse("public:outcome", args=[topic.pk]),
            topic=topic,
        )
    if target in (FollowTarget.HEALTH_BODY, FollowTarget.BODY):
        orgs = Organisation.objects.filter(slug=ref)
        if target == FollowTarget.HEALTH_BODY:
            orgs = orgs.filter(kind=Organisation.Kind.HEALTH_BODY)
        else:
            orgs = orgs.exclude(kind=Organisation.Kind.HEALTH_BODY)
        org = orgs.first()
        if org is None:
            raise NotFound("No such health body." if target == "health_body" else "No such body.")
        page = (
            reverse("public:health-body", args=[org.slug])
            if target == FollowTarget.HEALTH_BODY
            else reverse("public:follow-body", args=[org.slug])
        )
        return Followed(target, f"{target}:{org.pk}", org.name, page, organisation=org)
    if target == FollowTarget.AREA:
        area = Partnership.objects.filter(slug=ref).first()
        if area is None:
            raise NotFound("No such area.")
        return Followed(
            target,
            f"area:{area.pk}",
            area.name,
            reverse("public:follow-area", args=[area.slug]),
            partnership=area,
        )
    if target == FollowTarget.SEARCH:
        search = search_normalise(dict(parse_qsl(ref)))
        if len(search) > SEARCH_MAX_LENGTH:
            raise InvalidInput(f"A saved search must be {SEARCH_MAX_LENGTH} characters or fewer.")
        digest = hashlib.sha256(search.encode()).hexdigest()[:40]
        page = reverse("public:outcomes") + (f"?{search}" if search else "")
        return Followed(target, f"search:{digest}", search_words(search), page, search=search)
    raise NotFound("Nothing of that kind can be followed.")


def subscription_followed(sub: Subscription) -> tuple[str, str]:
    """A subscription's thing in words, and its public page's path."""
    if sub.target == FollowTarget.TOPIC:
        topic = sub.topic
        if topic.published_at is None or topic.state not in publication.PUBLISHABLE_STATES:
            # Withdrawn since: its title is no longer public, even to its follower.
            return "a topic no longer published", reverse("public:outcomes")
        return topic.title, reverse("public:outcome", args=[sub.topic_id])
    if sub.target == FollowTarget.HEALTH_BODY:
        return sub.organisation.name, reverse("public:health-body", args=[sub.organisation.slug])
    if sub.target == FollowTarget.BODY:
        return sub.organisation.name, reverse("public:follow-body", args=[sub.organisation.slug])
    if sub.target == FollowTarget.AREA:
        return sub.partnership.name, reverse("public:follow-area", args=[sub.partnership.slug])
    page = reverse("public:outcomes") + (f"?{sub.search}" if sub.search else "")
    return search_words(sub.search), page


# --- Throttle -------------------------------------------------------------------------------


def _counted(kind: str, value: str, limit: int, window: int) -> bool:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{value}".encode()).hexdigest()[:32]
    key = f"cf:follow:rate:{kind}:{digest}"
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit


def follow_rate_limited(*, email: str, client: str) -> bool:
    """Has this address, or this client, used up its subscribe requests for the window? Counts
    one request for each. Only digests of both are kept, in the cache."""
    window = int(getattr(settings, "CF_FOLLOW_RATE_WINDOW", 3600))
    by_client = _counted(
        "client", client or "unknown", int(getattr(settings, "CF_FOLLOW_RATE_CLIENT", 20)), window
    )
    by_address = _counted(
        "address",
        email.strip().lower(),
        int(getattr(settings, "CF_FOLLOW_RATE_ADDRESS", 5)),
        window,
    )
    return by_client or by_address


# --- Tokens and headers -----------------------------------------------------------------------


def confirm_token(sub: Subscription, frequency: str) -> str:
    return signing.dumps({"s": sub.pk, "k": sub.key, "f": frequency}, salt=CONFIRM_SALT)


def unsubscribe_token(sub: Subscription) -> str:
    return signing.dumps({"s": sub.pk, "k": sub.key}, salt=UNSUBSCRIBE_SALT)


def _address_digest(follower: Follower) -> str:
    return hashlib.sha256(follower.email.encode()).hexdigest()[:16]


def digest_unsubscribe_token(follower: Follower) -> str:
    """The link of a weekly digest: it stops the digest, every weekly subscription of the
    address (a digest gathers them all)."""
    return signing.dumps(
        {"a": follower.pk, "h": _address_digest(follower), "f": FollowFrequency.WEEKLY},
        salt=UNSUBSCRIBE_SALT,
    )


def unsubscribe_url(sub: Subscription | None = None, *, token: str = "") -> str:
    token = token or unsubscribe_token(sub)
    return absolute_url(reverse("public:unsubscribe", args=[token]))


def unsubscribe_headers(sub: Subscription | None = None, *, token: str = "") -> dict:
    """RFC 8058 one-click unsubscribe: the mail client POSTs `List-Unsubscribe=One-Click` to
    the URL."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(sub, token=token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _recipient(follower: Follower) -> Mailbox:
    return Mailbox(email=follower.email, name="resident")


# --- Subscribe, confirm, unsubscribe ----------------------------------------------------------


def follow_subscribe(*, email: str, target: str, ref: str, frequency: str) -> Subscription:
    """Subscribe `email` to the thing, unconfirmed, and e-mail the confirmation link.

    Subscribing again to the same thing finds the same subscription (whatever it is) and sends
    a new link; nothing about it changes until that link is followed, so nobody can change
    another person's subscription by typing their address."""
    email = (email or "").strip().lower()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an e-mail address like name@example.org."]
    if frequency not in FollowFrequency.values:
        errors["frequency"] = ["Choose how often you want e-mails."]
    if errors:
        raise InvalidInput("Check your details.", field_errors=errors)
    thing = followed(target, ref)
    with transaction.atomic():
        follower, _ = Follower.all_objects.get_or_create(email=email)
        sub, _ = Subscription.all_objects.get_or_create(
            follower=follower, key=thing.key, defaults={**thing.fields(), "frequency": frequency}
        )
        sub = Subscription.all_objects.select_for_update().get(pk=sub.pk)
        sub.confirmations_sent += 1
        sub.save(update_fields=["confirmations_sent"])
        link = absolute_url(reverse("public:follow-confirm", args=[confirm_token(sub, frequency)]))
        notification_write(
            event_key=f"follow:confirm:{sub.pk}:{sub.confirmations_sent}",
            kind=NotificationKind.FOLLOW_CONFIRM,
            recipient=_recipient(follower),
            subject=f"Confirm you want updates about {thing.title}"[:200],
            template="follow_confirm",
            context={
                "thing": thing.title,
                "page": absolute_url(thing.page),
                "link": link,
                "frequency": FollowFrequency(frequency).label.lower(),
                "days": confirm_days(),
                "unsubscribe_url": unsubscribe_url(sub),
            },
            link=link,
            headers=unsubscribe_headers(sub),
        )
    return sub


def _load(token: str, salt: str, max_age=None) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidInput(
            "This link has expired. Subscribe again to get a new one.",
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound("This link is not valid. Check it was copied in full.") from exc
    if not isinstance(data, dict) or not ({"s", "k"} <= set(data) or {"a", "h", "f"} <= set(data)):
        raise NotFound("This link is not valid. Check it was copied in full.")
    return data


def _unsubscribing(data: dict):
    """The subscriptions an unsubscribe link's data names (one, or an address's weekly ones)."""
    qs = Subscription.all_objects.select_related("follower", "topic", "organisation", "partnership")
    if "s" in data:
        return qs.filter(pk=data["s"], key=data["k"])
    follower = Follower.all_objects.filter(pk=data["a"]).first()
    if follower is None or _address_digest(follower) != data["h"]:
        return qs.none()
    return qs.filter(follower=follower, frequency=data["f"])


def follow_confirm_check(token: str) -> None:
    """Raise as `follow_confirm` would for a link that is bad or has expired; change nothing."""
    _load(token, CONFIRM_SALT, max_age=dt.timedelta(days=confirm_days()))


def follow_confirm(*, token: str, now: dt.datetime | None = None) -> Subscription:
    """Confirm the subscription of a confirmation link (and the frequency chosen with it)."""
    data = _load(token, CONFIRM_SALT, max_age=dt.timedelta(days=confirm_days()))
    now = now or timezone.now()
    with transaction.atomic():
        sub = (
            Subscription.all_objects.select_for_update().filter(pk=data["s"], key=data["k"]).first()
        )
        if sub is None:
            raise NotFound("This subscription no longer exists. Subscribe again if you want it.")
        if data.get("f") in FollowFrequency.values:
            sub.frequency = data["f"]
        if sub.confirmed_at is None:
            sub.confirmed_at = now
            # A weekly digest covers the weeks after confirmation only.
            sub.digest_through = week_start(now)
        sub.save(update_fields=["frequency", "confirmed_at", "digest_through"])
    return sub


def follow_unsubscription(token: str) -> list[Subscription]:
    """The subscriptions an unsubscribe link names (none when they are gone already)."""
    return list(_unsubscribing(_load(token, UNSUBSCRIBE_SALT)).order_by("pk"))


def follow_unsubscribe(*, token: str) -> int:
    """Delete the subscriptions an unsubscribe link names, and the address when nothing else
    is followed with it. Returns how many were deleted (0: they were gone already)."""
    data = _load(token, UNSUBSCRIBE_SALT)
    with transaction.atomic():
        subs = list(_unsubscribing(data).select_for_update(of=("self",)))
        if not subs:
            return 0
        follower_ids = {s.follower_id for s in subs}
        Subscription.all_objects.filter(pk__in=[s.pk for s in subs]).delete()
        Follower.all_objects.filter(pk__in=follower_ids, subscriptions__isnull=True).delete()
    return len(subs)


def follow_purge(*, now: dt.datetime | None = None) -> int:
    """Delete subscriptions never confirmed whose links have expired, and addresses that follow
    nothing. Returns how many subscriptions were deleted."""
    now = now or timezone.now()
    stale = Subscription.all_objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - dt.timedelta(days=confirm_days())
    )
    count, _ = stale.delete()
    Follower.all_objects.filter(subscriptions__isnull=True).delete()
    return count


# --- Matching -------------------------------------------------------------------------------


def _live(qs):
    return qs.filter(confirmed_at__isnull=False).select_related(
        "follower", "topic", "organisation", "partnership"
    )


def matches(subscriptions, topic_ids) -> dict[int, set[int]]:
    """For each subscription of `subscriptions`, the topics of `topic_ids` it follows (public
    topics only). A fixed number of queries, plus one per distinct saved search."""
    topic_ids = set(topic_ids)
    topics = list(
        publication.topics_published()
        .filter(pk__in=topic_ids)
        .values("pk", "partnership_id", "body_id", "lead_body_id")
    )
    public_ids = {t["pk"] for t in topics}
    if not public_ids:
        return {}
    concerning: dict[int, set[int]] = defaultdict(set)  # health body -> topics
    named = Topic.health_bodies.through.objects.filter(topic_id__in=public_ids)
    for topic_id, org_id in named.values_list("topic_id", "organisation_id"):
        concerning[org_id].add(topic_id)
    for model in (InformationRequest, Recommendation):
        issued = model.all_objects.issued().filter(topic_id__in=public_ids)
        for topic_id, org_id in issued.values_list("topic_id", "recipient_id"):
            concerning[org_id].add(topic_id)
    parties: dict[int, set[int]] = defaultdict(set)  # partnership -> its bodies
    for area in Partnership.objects.prefetch_related("scrutiny_committees"):
        parties[area.pk] = area.party_ids()
    of_body: dict[int, set[int]] = defaultdict(set)  # committee or network -> topics
    of_area: dict[int, set[int]] = defaultdict(set)  # partnership -> topics
    for t in topics:
        for org_id in {t["body_id"], t["lead_body_id"]} - {None}:
            of_body[org_id].add(t["pk"])
        if t["partnership_id"]:
            of_area[t["partnership_id"]].add(t["pk"])
            for org_id in parties[t["partnership_id"]]:
                of_body[org_id].add(t["pk"])
        for area_id, bodies in parties.items():
            if t["body_id"] in bodies:
                of_area[area_id].add(t["pk"])
    found_by_search: dict[str, set[int]] = {}
    out: dict[int, set[int]] = {}
    for sub in subscriptions:
        if sub.target == FollowTarget.TOPIC:
            found = {sub.topic_id} & public_ids
        elif sub.target == FollowTarget.HEALTH_BODY:
            found = concerning.get(sub.organisation_id, set())
        elif sub.target == FollowTarget.BODY:
            found = of_body.get(sub.organisation_id, set())
        elif sub.target == FollowTarget.AREA:
            found = of_area.get(sub.partnership_id, set())
        else:
            if sub.search not in found_by_search:
                found_by_search[sub.search] = set(
                    search_topics(sub.search)
                    .filter(pk__in=public_ids)
                    .order_by()
                    .values_list("pk", flat=True)
                )
            found = found_by_search[sub.search]
        if found:
            out[sub.pk] = set(found)
    return out


def _subscriptions_for(topic_ids, frequency: str):
    """The confirmed subscriptions of `frequency` that could follow these topics: every saved
    search, area and body subscription, and topic subscriptions of these topics."""
    return _live(
        Subscription.all_objects.filter(frequency=frequency).filter(
            ~Q(target=FollowTarget.TOPIC) | Q(topic_id__in=topic_ids)
        )
    )


def _public_topic_events():
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Topic),
        event_type__in=list(PUBLIC_EVENTS),
    )


def _seen_by_residents(event, topic) -> bool:
    """Did residents see this event happen? Only from the topic's publication on: what came
    before is told by the publication's own event."""
    return event.at >= topic.published_at


def _event_words(event) -> dict:
    return {
        "label": event_label(event, public=True),
        "note": event_public_note(event),
        "on": timezone.localtime(event.at),
    }


# --- Immediate notices ------------------------------------------------------------------------


def follow_dispatch(*, now: dt.datetime | None = None, limit: int = DISPATCH_BATCH) -> dict:
    """Match the public events not yet dispatched against the immediate subscriptions, and
    write their notices: one batch of at most `limit` events, in one transaction with their
    marks. Returns {"events": n, "notices": n}; call again while events remain."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            _public_topic_events()
            .filter(~Q(pk__in=FollowDispatch.objects.values("event_id")))
            .order_by("pk")[:limit]
        )
        if not pending:
            return {"events": 0, "notices": 0}
        FollowDispatch.objects.bulk_create(
            [FollowDispatch(event_id=e.pk, dispatched_at=now) for e in pending],
            ignore_conflicts=True,
        )
        # Ours are the marks stamped with our moment: another dispatcher's are not ours to send.
        mine = set(
            FollowDispatch.objects.filter(
                event_id__in=[e.pk for e in pending], dispatched_at=now
            ).values_list("event_id", flat=True)
        )
        events = [e for e in pending if e.pk in mine]
        topic_ids = {e.object_id for e in events}
        subs = list(_subscriptions_for(topic_ids, FollowFrequency.IMMEDIATE))
        found = matches(subs, topic_ids)
        topics = {
            t.pk: t
            for t in publication.topics_published()
            .filter(pk__in=topic_ids)
            .select_related("lead_body")
        }
        built, per_event = [], defaultdict(int)
        for event in events:
            topic = topics.get(event.object_id)
            if topic is None or not _seen_by_residents(event, topic):
                continue  # not public (yet): its publication will be an event of its own
            told = set()
            for sub in subs:
                if topic.pk not in found.get(sub.pk, ()) or sub.follower_id in told:
                    continue
                if sub.confirmed_at > event.at:
                    continue  # it happened before they followed
                told.add(sub.follower_id)
                n = _notice(event, topic, sub, now)
                if n is not None:
                    built.append(n)
                    per_event[event.pk] += 1
        notifications_write_many(built)
        for event_id, count in per_event.items():
            FollowDispatch.objects.filter(event_id=event_id).update(notices=count)
    return {"events": len(events), "notices": len(built)}


def _notice(event, topic, sub, now) -> Notification | None:
    thing, page = subscription_followed(sub)
    link = absolute_url(reverse("public:outcome", args=[topic.pk]))
    words = _event_words(event)
    return notification_build(
        event_key=f"follow:event:{event.pk}",
        kind=NotificationKind.FOLLOW_NOTICE,
        recipient=_recipient(sub.follower),
        subject=f"{words['label']}: {topic.title}"[:200],
        template="follow_notice",
        context={
            "topic": topic,
            "event": words,
            "link": link,
            "thing": thing,
            "page": absolute_url(page),
            "unsubscribe_url": unsubscribe_url(sub),
        },
        link=link,
        now=now,
        headers=unsubscribe_headers(sub),
    )


# --- Weekly digests ---------------------------------------------------------------------------


def week_start(moment: dt.datetime) -> dt.datetime:
    """Midnight at the start of the Monday of `moment`'s week, local time."""
    local = timezone.localtime(moment)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time()))


def follow_digests_write(*, now: dt.datetime | None = None, batch: int = 200) -> dict:
    """Write the digest of the last complete week (Monday to Monday, local time) for each
    confirmed weekly subscription not yet given it, one address one e-mail. Idempotent: the
    subscriptions are locked (skip locked) and moved past the week in the same transaction, so
    two schedulers never write a week twice. Returns {"subscriptions": n, "digests": n}."""
    now = now or timezone.now()
    end = week_start(now)
    start = end - dt.timedelta(days=7)
    done = digests = 0
    while True:
        with transaction.atomic():
            due = (
                Subscription.all_objects.filter(
                    frequency=FollowFrequency.WEEKLY, confirmed_at__isnull=False
                )
                .filter(Q(digest_through__isnull=True) | Q(digest_through__lt=end))
                .order_by("follower_id")
            )
            # A batch of addresses with all their weekly subscriptions due: one e-mail each.
            followers = list(due.values_list("follower_id", flat=True).distinct()[:batch])
            if not followers:
                break
            subs = list(
                _live(
                    due.select_for_update(skip_locked=True, of=("self",))
                    .filter(follower_id__in=followers)
                    .order_by("follower_id", "pk")
                )
            )
            if not subs:
                break  # another scheduler holds them
            events = list(
                _public_topic_events().filter(at__gte=start, at__lt=end).order_by("at", "pk")
            )
            topic_ids = {e.object_id for e in events}
            found = matches(subs, topic_ids) if topic_ids else {}
            built = _digests(subs, events, found, start, end, now)
            notifications_write_many(built)
            Subscription.all_objects.filter(pk__in=[s.pk for s in subs]).update(digest_through=end)
            done += len(subs)
            digests += len(built)
    return {"subscriptions": done, "digests": digests}


def _digests(subs, events, found, start, end, now) -> list[Notification]:
    topics = {
        t.pk: t for t in publication.topics_published().filter(pk__in={e.object_id for e in events})
    }
    by_follower: dict[int, list[Subscription]] = defaultdict(list)
    for sub in subs:
        by_follower[sub.follower_id].append(sub)
    week = timezone.localtime(start).date()
    iso = week.isocalendar()
    built = []
    for follower_subs in by_follower.values():
        sections = []
        for sub in follower_subs:
            followed_ids = found.get(sub.pk, set())
            if not followed_ids or (sub.confirmed_at and sub.confirmed_at >= end):
                continue
            rows: dict[int, dict] = {}
            for event in events:
                if event.object_id not in followed_ids or event.object_id not in topics:
                    continue
                topic = topics[event.object_id]
                if not _seen_by_residents(event, topic):
                    continue
                row = rows.setdefault(
                    topic.pk,
                    {
                        "topic": topic,
                        "link": absolute_url(reverse("public:outcome", args=[topic.pk])),
                        "events": [],
                    },
                )
                row["events"].append(_event_words(event))
            if rows:
                thing, page = subscription_followed(sub)
                sections.append(
                    {
                        "thing": thing,
                        "page": absolute_url(page),
                        "topics": list(rows.values()),
                        "unsubscribe_url": unsubscribe_url(sub),
                    }
                )
        if not sections:
            continue
        follower = follower_subs[0].follower
        token = digest_unsubscribe_token(follower)
        n = notification_build(
            event_key=f"follow:digest:{iso.year}-W{iso.week:02d}",
            kind=NotificationKind.FOLLOW_DIGEST,
            recipient=_recipient(follower),
            subject=f"What changed in the week of {week:%-d %B %Y}",
            template="follow_digest",
            context={
                "sections": sections,
                "week": week,
                "unsubscribe_url": unsubscribe_url(token=token),
            },
            link=sections[0]["page"],
            now=now,
            headers=unsubscribe_headers(token=token),
        )
        if n is not None:
            built.append(n)
    return built
