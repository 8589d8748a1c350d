"""The national-scale data set: `manage.py seed_scale --scale S` (issue 13).

S=1.0 is the shape of one deployment serving every area in England: about 150 partnerships,
150,000 topics, 400,000 information requests, 300,000 recommendations, 1,000,000 providers'
responses, millions of transition-log rows, 30,000 meetings with their agendas, a few thousand
staff and responders, and health bodies shared by several partnerships (a big trust by 30). S
scales every count (0.001 for tests, 0.1 for a quick national-shaped run).

The rows are what the services would have written, without running the services row by row:

- states, their dates and the audit events of every move (`workflows.audit.EventType`, source and
  target states as `transition_apply` writes them);
- due dates and their explanations from `workflows.clocks.compute_due` itself, memoised by
  (rule, start date);
- the access rows of each topic (one per body: ADR 0019) from
  `scrutiny.casework.grants.topic_access_rows`, the one rule `grants` uses;
- published topics (with their `topic_published` events) and the public cache version bumped;
- meetings with agenda items (some exempt), their agenda-publication clocks;
- the notices of asks in the e-mail outbox, already sent.

Rows are streamed: topics are generated a batch at a time and each table's rows of the batch are
written with one PostgreSQL `COPY` (psycopg 3 `cursor.copy`), or `bulk_create` elsewhere. Ids are
assigned here (so rows can point at each other without reading anything back) and the sequences
are reset at the end. The whole load is one transaction: it is all there or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Max

from api.keys import issue_key
from api.models import ApiKey
from protocols.models import AgendaItem, Meeting
from protocols.models.meetings import AgendaState, MeetingState
from scrutiny.casework.grants import topic_access_rows
from scrutiny.casework.models import (
    Channel,
    ImplementationStatus,
    InformationRequest,
    Membership,
    Organisation,
    Partnership,
    PrioritisationFramework,
    ProviderResponse,
    PublicationState,
    Recommendation,
    RecommendationOutcome,
    RecommendationState,
    RefusalGround,
    RequestState,
    ResponseKind,
    Topic,
    TopicAccess,
    TopicState,
)
from scrutiny.casework.roles import CHAIR, MEMBER, OFFICER, RESPONDER
from scrutiny.casework.services.common import rule_for
from workflows.audit import EventType
from workflows.cache import public_cache_bump
from workflows.clocks import calendar_for, compute_due, working_days_late
from workflows.models import AuditEvent, DeadlineRule, Notification, NotificationKind

E = EventType
S = TopicState
K = Organisation.Kind

# --- The national shape (S=1.0) ---------------------------------------------------------------

NATIONAL = {
    "partnerships": 150,
    "topics": 150_000,
    "requests": 400_000,
    "recommendations": 300_000,
    "responses": 1_000_000,
    "meetings": 30_000,
}
BIG_TRUST_PARTNERSHIPS = 30  # the most shared health body works with this many partnerships
LOCAL_BODIES = 6  # health bodies of each partnership's area (besides the big trust)
STAFF_PER_BODY = {OFFICER: 2, CHAIR: 1, MEMBER: 4}
RESPONDERS_PER_BODY = 3
BUSY_OFFICER_NETWORKS = 4  # the printed officer supports this many networks (~4,000 topics)
AGENDA_ITEMS = 4  # per meeting
SINGLE_BODY_SHARE = 0.15  # topics of one body rather than of a partnership
BATCH_TOPICS = 2_000

# A topic's state, with its share of all topics. Items exist only from 'information requested'.
TOPIC_MIX = (
    (S.RAISED, 0.10),
    (S.PRIORITISED, 0.10),
    (S.DECLINED, 0.05),
    (S.WITHDRAWN, 0.05),
    (S.INFORMATION_REQUESTED, 0.10),
    (S.RESPONSE_DUE, 0.20),
    (S.RECOMMENDATION_MADE, 0.15),
    (S.CONCLUDED, 0.25),
)
WITH_REQUESTS = (S.INFORMATION_REQUESTED, S.RESPONSE_DUE, S.RECOMMENDATION_MADE, S.CONCLUDED)
WITH_RECOMMENDATIONS = (S.RECOMMENDATION_MADE, S.CONCLUDED)
# Of a state's issued requests / recommendations, the share that has been answered.
REQUESTS_ANSWERED = {S.RESPONSE_DUE: 0.5, S.RECOMMENDATION_MADE: 0.95, S.CONCLUDED: 0.95}
RECOMMENDATIONS_ANSWERED = {S.RECOMMENDATION_MADE: 0.5, S.CONCLUDED: 1.0}
CORRECTED_SHARE = 0.25  # of answered items, corrected once (the rest of the extra: further info)
PUBLISHED_SHARE = 0.7  # of publishable topics
EXEMPT_SHARE = 0.1  # of agenda items


def _share(states) -> float:
    return sum(share for state, share in TOPIC_MIX if state in states)


@dataclass(frozen=True)
class Shape:
    """Every count at scale `scale`."""

    scale: float
    partnerships: int
    topics: int
    requests: int
    recommendations: int
    responses: int
    meetings: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        n = {k: max(1, round(v * scale)) for k, v in NATIONAL.items()}
        n["partnerships"] = max(2, n["partnerships"])
        return cls(scale=scale, **n)

    @property
    def health_bodies(self) -> int:
        # The big trust, and local bodies each shared by about three neighbouring partnerships.
        return 2 * self.partnerships + LOCAL_BODIES - 1

    @property
    def requests_per_topic(self) -> float:
        return self.requests / (self.topics * _share(WITH_REQUESTS))

    @property
    def recommendations_per_topic(self) -> float:
        return self.recommendations / (self.topics * _share(WITH_RECOMMENDATIONS))

    @property
    def responses_per_answered(self) -> float:
        """Responses per answered item (the answer, corrections, further information)."""
        answered = sum(
            self.topics * share * self.requests_per_topic * REQUESTS_ANSWERED.get(state, 0)
            + self.topics
            * share
            * (self.recommendations_per_topic if state in WITH_RECOMMENDATIONS else 0)
            * RECOMMENDATIONS_ANSWERED.get(state, 0)
            for state, share in TOPIC_MIX
        )
        return max(1.0, self.responses / answered)


# --- Writing rows ------------------------------------------------------------------------------


class Table:
    """One model's rows for the current batch, as dicts of attribute names."""

    def __init__(self, model):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.rows: list[dict] = []
        self.written = 0
        self._defaults = None

    def add(self, **row) -> None:
        self.rows.append(row)

    def defaults(self, now) -> dict:
        if self._defaults is None:
            found = {}
            for f in self.fields:
                if _is_now(f):
                    found[f.attname] = now
                else:
                    found[f.attname] = f.get_default()
            self._defaults = found
        return self._defaults


def _is_now(field) -> bool:
    """Set to the time of writing: `auto_now` fields and those whose default is `now`."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return True
    default = field.default if field.has_default() else None
    return callable(default) and getattr(default, "__name__", "") == "now"


class Writer:
    """Streams the tables' rows to the database: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, now):
        self.now = now
        self.tables: dict[type, Table] = {}
        self.postgres = connection.vendor == "postgresql"
        self.next_ids: dict[type, int] = {}

    def table(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model)
        return self.tables[model]

    def new_id(self, model) -> int:
        """The next free id of `model` (assigned here; sequences are reset by `finish`)."""
        if model not in self.next_ids:
            top = model._base_manager.aggregate(top=Max("pk"))["top"] or 0
            self.next_ids[model] = top + 1
        pk = self.next_ids[model]
        self.next_ids[model] = pk + 1
        return pk

    def add(self, model, **row) -> int:
        if "id" not in row and model._meta.pk.attname == "id":
            row["id"] = self.new_id(model)
        self.table(model).add(**row)
        return row.get("id")

    def flush(self) -> None:
        for table in self.tables.values():
            if table.rows:
                self._write(table)
                table.written += len(table.rows)
                table.rows = []

    def _write(self, table: Table) -> None:
        defaults = table.defaults(self.now)
        if not self.postgres:
            table.model._base_manager.bulk_create(
                [table.model(**{**defaults, **row}) for row in table.rows], batch_size=500
            )
            return
        fields = table.fields
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in table.rows:
                values = []
                for f in fields:
                    value = row.get(f.attname, defaults[f.attname])
                    if f.attname in json_fields:
                        value = json.dumps(value, cls=DjangoJSONEncoder)
                    values.append(value)
                copy.write_row(values)

    def finish(self) -> dict[str, int]:
        self.flush()
        sequence_sql = connection.ops.sequence_reset_sql(
            no_style(), [t.model for t in self.tables.values()]
        )
        with connection.cursor() as cursor:
            for sql in sequence_sql:
                cursor.execute(sql)
        return {t.model._meta.label: t.written for t in self.tables.values()}


class Memo:
    """A function's answers by argument: due dates by (rule, start), lateness by dates."""

    def __init__(self, fn: Callable):
        self.fn, self.seen = fn, {}

    def __call__(self, *args):
        if args not in self.seen:
            self.seen[args] = self.fn(*args)
        return self.seen[args]


class Spread:
    """Whole counts whose running total follows `mean` per call (error diffusion): a shape's
    totals come out as asked, whatever the random choices."""

    def __init__(self, mean: float):
        self.mean, self.total, self.calls = mean, 0, 0

    def take(self, at_least: int = 0) -> int:
        self.calls += 1
        n = max(at_least, round(self.mean * self.calls) - self.total)
        self.total += n
        return n


# --- The loader --------------------------------------------------------------------------------


class RefuseToSeed(Exception):
    """The database already has topics: seed_scale loads an empty one only."""


@dataclass
class Printed:
    officer: str
    member: str
    responder: str
    api_key: str


def _aware(day: dt.date, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC) + dt.timedelta(minutes=minute)


_PHRASES: dict[int, list[str]] = {}


def _words(rng: random.Random, n: int) -> str:
    """`n` words of health-scrutiny vocabulary, from a pool of 4,096 phrases of that length
    (varied enough for search, cheap enough for millions of rows)."""
    if n not in _PHRASES:
        pool = random.Random(n)
        _PHRASES[n] = [" ".join(pool.choices(VOCABULARY, k=n)) for _ in range(4096)]
    return _PHRASES[n][rng.getrandbits(12)]


_VOCABULARY_TEXT = (
    "stroke services waiting times discharge community mental health maternity dementia "
    "ambulance handover urgent care dental access hospital transport carers respite children "
    "young people autism diagnosis cancer screening pharmacy out-of-hours district nursing "
    "falls prevention end-of-life hospice social care domiciliary home care reablement "
    "physiotherapy audiology eye clinics diabetes podiatry sexual health immunisation "
    "translation interpreting complaints parking outpatients follow-up referral pathway"
)
VOCABULARY = tuple(_VOCABULARY_TEXT.split())
TITLES = (
    "Stroke rehabilitation",
    "Waiting times for hip and knee surgery",
    "Hospital discharge to care homes",
    "Community mental health crisis support",
    "Maternity continuity of carer",
    "Dementia diagnosis rates",
    "Ambulance handover delays",
    "Access to NHS dentistry",
    "Patient transport to outpatient clinics",
    "Children's autism assessment waits",
    "Cancer screening uptake",
    "Out-of-hours pharmacy cover",
    "Falls prevention in care homes",
    "End-of-life care at home",
    "Home care for people leaving hospital",
    "Interpreting in GP surgeries",
    "Diabetes eye screening",
    "Sexual health clinic opening hours",
)


class ScaleLoader:
    def __init__(self, scale: float, password: str, *, seed: int = 13, today=None):
        self.shape = Shape.at(scale)
        self.password = password
        self.rng = random.Random(seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.today = today or self.now.date()
        self.w = Writer(self.now)
        # Tables are written in this order at every flush: what a row points at comes first
        # (PostgreSQL's response trigger reads the request or recommendation it answers).
        for model in (
            Organisation,
            Partnership,
            Partnership.scrutiny_committees.through,
            get_user_model(),
            Membership,
            Topic,
            Topic.health_bodies.through,
            InformationRequest,
            Recommendation,
            ProviderResponse,
            TopicAccess,
            Meeting,
            AgendaItem,
            AuditEvent,
            Notification,
        ):
            self.w.table(model)

    # -- entry point --------------------------------------------------------------------------

    def run(self) -> tuple[Printed, dict[str, int]]:
        if Topic.objects.exists():
            raise RefuseToSeed(
                "This database already has topics: seed_scale loads an empty database only. "
                "Create a new database (or clone one seeded earlier) and migrate it first."
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check each row's foreign keys as it is written, rather than queueing millions
                # of deferred checks for the commit (the rows come in dependency order).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._reference()
            self._organisations()
            self._people()
            self._topics()
            self._meetings()
            written = self.w.finish()
            printed = self._printed()
            transaction.on_commit(public_cache_bump)
        return printed, written

    # -- reference data -----------------------------------------------------------------------

    def _reference(self) -> None:
        self.framework = PrioritisationFramework.default()
        self.criteria = [c["key"] for c in self.framework.criteria]
        self.ct = {
            m: ContentType.objects.get_for_model(m).pk
            for m in (Topic, InformationRequest, Recommendation, Meeting)
        }
        rules = {r.slug: r for r in DeadlineRule.objects.prefetch_related("versions")}
        self.rules = rules
        calendars = Memo(calendar_for)

        def due(rule_slug: str, start: dt.date):
            rule = rules[rule_slug]
            return compute_due(
                rule, start, calendar=calendars(rule.terms_on(start).effective_region)
            )

        self.due = Memo(due)
        # Which rule an item's clock uses: the services' own `rule_for`, once per kind of body.
        self.rule = Memo(lambda what, kind: rules[rule_for(what, _KindOnly(kind)).slug])
        self.late = Memo(
            lambda due_on, received, region: working_days_late(
                due_on, received, region=region, calendar=calendars(region)
            )
        )
        self.agenda_rule = rules[Meeting.RULE]

    # -- organisations and partnerships -------------------------------------------------------

    def _org(self, slug: str, name: str, kind: str, **extra) -> int:
        if kind == K.HEALTH_BODY:
            extra.setdefault("email", f"enquiries@{slug}.scale.critical-friend.example")
        else:
            extra.setdefault("email", f"office@{slug}.scale.critical-friend.example")
        pk = self.w.add(Organisation, slug=slug, name=name, kind=kind, **extra)
        self.email_of[pk] = extra["email"]
        return pk

    def _organisations(self) -> None:
        shape = self.shape
        hb_kinds = [c for c, _ in Organisation.HealthBodyKind.choices]
        self.health_bodies = []
        self.email_of: dict[int, str] = {}
        self.big_trust = self._org(
            "scale-big-trust",
            "Great Northern Hospitals NHS Foundation Trust",
            K.HEALTH_BODY,
            health_body_kind=Organisation.HealthBodyKind.FOUNDATION_TRUST,
            area="England (many areas)",
        )
        self.health_bodies.append(self.big_trust)
        for i in range(1, shape.health_bodies):
            kind = hb_kinds[i % len(hb_kinds)]
            self.health_bodies.append(
                self._org(
                    f"scale-hb-{i:04d}",
                    f"Area {i:04d} {Organisation.HealthBodyKind(kind).label}",
                    K.HEALTH_BODY,
                    health_body_kind=kind,
                )
            )
        self.partnerships = []  # (id, network id, [committee ids], [health body ids])
        self.org_kind: dict[int, str] = {}
        for p in range(shape.partnerships):
            area = f"Area {p:03d}"
            network = self._org(
                f"scale-link-{p:03d}", f"{area} Local Healthwatch", K.INVOLVEMENT_NETWORK, area=area
            )
            self.org_kind[network] = K.INVOLVEMENT_NETWORK
            committees = []
            for c in range(1 if p % 2 else 2):
                committee = self._org(
                    f"scale-osc-{p:03d}-{c}",
                    f"{area} Health Overview and Scrutiny Committee {c + 1}",
                    K.SCRUTINY_COMMITTEE,
                    area=area,
                )
                self.org_kind[committee] = K.SCRUTINY_COMMITTEE
                committees.append(committee)
            pk = self.w.add(
                Partnership,
                name=f"{area} health scrutiny",
                slug=f"scale-{p:03d}",
                involvement_network_id=network,
                framework_id=self.framework.pk,
            )
            for committee in committees:
                self.w.add(
                    Partnership.scrutiny_committees.through,
                    partnership_id=pk,
                    organisation_id=committee,
                )
            local = [
                self.health_bodies[1 + (2 * p + j) % (shape.health_bodies - 1)]
                for j in range(LOCAL_BODIES)
            ]
            if p < BIG_TRUST_PARTNERSHIPS:
                local = [self.big_trust, *local]
            self.partnerships.append((pk, network, committees, local))

    # -- people -------------------------------------------------------------------------------

    def _user(self, username: str, first: str, last: str) -> int:
        return self.w.add(
            get_user_model(),
            username=username,
            email=f"{username}@scale.critical-friend.example",
            first_name=first,
            last_name=last,
            password=self.password_hash,
            is_active=True,
            date_joined=self.now,
        )

    def _member(self, user: int, org: int, role: str) -> None:
        self.w.add(Membership, user_id=user, organisation_id=org, role=role)
        self.memberships[user].add((org, role))

    def _people(self) -> None:
        self.password_hash = make_password(self.password)
        self.memberships: dict[int, set[tuple[int, str]]] = defaultdict(set)
        self.people: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.usernames: dict[int, str] = {}
        parties = [o for _, n, cs, _ in self.partnerships for o in (n, *cs)]
        for org in parties:
            for role, count in STAFF_PER_BODY.items():
                for i in range(count):
                    name = f"s{org}-{role.split('_')[-1]}-{i}"
                    user = self._user(name, role.split("_")[-1].title(), f"of body {org}")
                    self._member(user, org, role)
                    self.people[(org, role)].append(user)
                    self.usernames[user] = name
        for org in self.health_bodies:
            for i in range(RESPONDERS_PER_BODY):
                name = f"s{org}-responder-{i}"
                user = self._user(name, "Responder", f"of body {org}")
                self._member(user, org, RESPONDER)
                self.people[(org, RESPONDER)].append(user)
                self.usernames[user] = name
        # The printed people: a busy officer of several networks, a member, a responder.
        self.officer = self._user("scale-officer", "Busy", "Officer")
        for _, network, _, _ in self.partnerships[:BUSY_OFFICER_NETWORKS]:
            self._member(self.officer, network, OFFICER)
        self.member = self._user("scale-member", "Committee", "Member")
        self._member(self.member, self.partnerships[0][2][0], MEMBER)
        self.responder = self._user("scale-responder", "Trust", "Responder")
        self._member(self.responder, self.big_trust, RESPONDER)
        self.usernames.update(
            {self.officer: "scale-officer", self.member: "scale-member"}
            | {self.responder: "scale-responder"}
        )
        self.access_rows = Memo(
            lambda parties, recipients: sorted(topic_access_rows(parties, recipients).items())
        )

    # -- topics and their case files ----------------------------------------------------------

    def _event(self, model, pk, event, source, target, actor, at, note="", data=None) -> None:
        self.w.add(
            AuditEvent,
            content_type_id=self.ct[model],
            object_id=pk,
            event_type=event,
            source_state=source,
            target_state=target,
            actor_id=actor,
            at=at,
            note=note,
            data=data or {},
        )

    def _topics(self) -> None:
        shape, rng = self.shape, self.rng
        # The mix exactly: each block of 20 topics holds every state its share, in random order.
        block = [s for s, share in TOPIC_MIX for _ in range(round(share * 20))]
        states: list[str] = []
        self.requests_spread = Spread(shape.requests_per_topic)
        self.recommendations_spread = Spread(shape.recommendations_per_topic)
        self.extra_spread = Spread(shape.responses_per_answered - 1)
        self.topics_of: dict[int, list[int]] = defaultdict(list)  # partnership → topic ids
        for t in range(shape.topics):
            p_index = t % len(self.partnerships)
            if not states:
                states = rng.sample(block, len(block))
            state = states.pop()
            self._topic(p_index, state)
            if (t + 1) % BATCH_TOPICS == 0:
                self.w.flush()
        self.w.flush()

    def _timeline(self, steps: int, open_now: bool) -> list[dt.date]:
        """`steps` dates in order, the last in the past (recent when the topic is open)."""
        rng = self.rng
        gaps = [rng.randint(5, 40) for _ in range(steps - 1)]
        lag = rng.randint(0, 50) if open_now else rng.randint(10, 1000)
        last = self.today - dt.timedelta(days=lag)
        days = [last]
        for gap in reversed(gaps):
            days.append(days[-1] - dt.timedelta(days=gap))
        return list(reversed(days))

    def _topic(self, p_index: int, state: str) -> None:
        rng, w = self.rng, self.w
        partnership, network, committees, local = self.partnerships[p_index]
        parties = [network, *committees]
        single = rng.random() < SINGLE_BODY_SHARE
        lead = rng.choice(parties)
        topic_parties = (lead,) if single else tuple(parties)
        officer = rng.choice(self.people[(lead, OFFICER)])
        if p_index < BUSY_OFFICER_NETWORKS and lead == network and rng.random() < 0.5:
            officer = self.officer
        n_bodies = 1 + (rng.random() < 0.4)
        bodies = rng.sample(local[1:] if local[0] == self.big_trust else local, n_bodies)
        if local[0] == self.big_trust and rng.random() < 0.45:
            bodies[0] = self.big_trust
        bodies = sorted(set(bodies))

        moves = {
            S.RAISED: [],
            S.PRIORITISED: [S.PRIORITISED],
            S.DECLINED: [S.DECLINED],
            S.WITHDRAWN: [S.PRIORITISED, S.WITHDRAWN],
            S.INFORMATION_REQUESTED: [S.PRIORITISED, S.INFORMATION_REQUESTED],
            S.RESPONSE_DUE: [S.PRIORITISED, S.INFORMATION_REQUESTED, S.RESPONSE_DUE],
            S.RECOMMENDATION_MADE: [
                S.PRIORITISED,
                S.INFORMATION_REQUESTED,
                S.RESPONSE_DUE,
                S.RECOMMENDATION_MADE,
            ],
            S.CONCLUDED: [
                S.PRIORITISED,
                S.INFORMATION_REQUESTED,
                S.RESPONSE_DUE,
                S.RECOMMENDATION_MADE,
                S.CONCLUDED,
            ],
        }[state]
        open_now = state not in (S.CONCLUDED, S.DECLINED, S.WITHDRAWN)
        # Each move a date; answers come between the issue and the next move.
        days = self._timeline(len(moves) + 1 + (state in WITH_RECOMMENDATIONS), open_now)
        raised_on = days[0]
        on = dict(zip(moves, days[1:], strict=False))
        topic_id = w.new_id(Topic)
        title = f"{rng.choice(TITLES)} in area {p_index:03d}"
        publishable = state != S.RAISED
        published = publishable and rng.random() < PUBLISHED_SHARE
        scores = {}
        if S.PRIORITISED in moves:
            scores = {k: rng.randint(1, 2) for k in self.criteria}
        final_day = days[-1]
        published_at = _aware(final_day, 30) if published else None
        w.add(
            Topic,
            id=topic_id,
            title=title,
            summary=f"Residents raised {_words(rng, 12)}.",
            partnership_id=None if single else partnership,
            body_id=lead if single else None,
            lead_body_id=lead,
            source=rng.choice(Topic.Source.values),
            state=state,
            framework_id=self.framework.pk if scores else None,
            scores=scores,
            score_total=sum(scores.values()) if scores else None,
            prioritised_on=on.get(S.PRIORITISED),
            decision_reason=(
                f"Not taken forward: {_words(rng, 8)}."
                if state in (S.DECLINED, S.WITHDRAWN)
                else ""
            ),
            outcome_summary=(
                f"The committee found {_words(rng, 20)}." if state == S.CONCLUDED else ""
            ),
            concluded_on=on.get(S.CONCLUDED),
            publication=PublicationState.PUBLISHED if published else PublicationState.UNPUBLISHED,
            published_at=published_at,
            created_by_id=officer,
            created_at=_aware(raised_on),
            updated_at=_aware(final_day, 31),
        )
        self.topics_of[partnership].append(topic_id)  # the area's meetings discuss it
        for body in bodies:
            w.add(Topic.health_bodies.through, topic_id=topic_id, organisation_id=body)
        self._event(Topic, topic_id, E.TOPIC_RAISED, "", S.RAISED, officer, _aware(raised_on))
        before = S.RAISED
        names = {
            S.PRIORITISED: E.TOPIC_PRIORITISED,
            S.DECLINED: E.TOPIC_DECLINED,
            S.WITHDRAWN: E.TOPIC_WITHDRAWN,
            S.INFORMATION_REQUESTED: E.TOPIC_INFORMATION_REQUESTED,
            S.RESPONSE_DUE: E.TOPIC_REQUESTS_ISSUED,
            S.RECOMMENDATION_MADE: E.TOPIC_RECOMMENDATIONS_MADE,
            S.CONCLUDED: E.TOPIC_CONCLUDED,
        }
        for move in moves:
            self._event(Topic, topic_id, names[move], before, move, officer, _aware(on[move], 5))
            before = move
        if published:
            self._event(
                Topic,
                topic_id,
                E.TOPIC_PUBLISHED,
                PublicationState.UNPUBLISHED,
                PublicationState.PUBLISHED,
                officer,
                published_at,
            )

        responders: set[int] = set()
        if state in WITH_REQUESTS:
            issued_on = on.get(S.RESPONSE_DUE)
            answer_by = on.get(S.RECOMMENDATION_MADE) or self.today
            for _ in range(self.requests_spread.take(at_least=1)):
                recipient = rng.choice(bodies)
                if self._request(
                    topic_id, lead, recipient, officer, state, on, issued_on, answer_by
                ):
                    responders.add(recipient)
        if state in WITH_RECOMMENDATIONS:
            made_on = on[S.RECOMMENDATION_MADE]
            answer_by = on.get(S.CONCLUDED) or self.today
            for _ in range(self.recommendations_spread.take(at_least=1)):
                recipient = rng.choice(bodies)
                self._recommendation(topic_id, lead, recipient, officer, state, made_on, answer_by)
                responders.add(recipient)
        for org_id, (as_party, as_recipient) in self.access_rows(
            tuple(sorted(topic_parties)), tuple(sorted(responders))
        ):
            w.add(
                TopicAccess,
                organisation_id=org_id,
                topic_id=topic_id,
                as_party=as_party,
                as_recipient=as_recipient,
            )

    def _ask_notice(self, model, pk, recipient, due, officer, issued_at, topic_title) -> None:
        kind = "information_request" if model is InformationRequest else "recommendation"
        ref = f"CF-{'R' if model is InformationRequest else 'M'}{pk}"
        noun = "information request" if model is InformationRequest else "recommendation"
        self.w.add(
            Notification,
            event_key=f"{kind}:{pk}:issued",
            kind=NotificationKind.ASK_ISSUED,
            recipient_id=None,
            to_email=self.email_of[recipient],
            reply_to=f"{self.usernames[officer]}@scale.critical-friend.example",
            subject=f"{noun[0].upper()}{noun[1:]}: due {due.date:%d %B %Y} [{ref}]",
            body_text=f"{topic_title}: {due.explanation}.",
            body_html=f"<p>{topic_title}: {due.explanation}.</p>",
            content_type_id=self.ct[model],
            object_id=pk,
            state=Notification.State.SENT,
            attempts=1,
            next_attempt_at=issued_at,
            created_at=issued_at,
            sent_at=issued_at + dt.timedelta(minutes=1),
        )

    def _request(self, topic_id, lead, recipient, officer, state, on, issued_on, answer_by):
        """One information request of the topic; True when it was issued."""
        rng, w = self.rng, self.w
        pk = w.new_id(InformationRequest)
        drafted_on = on[S.INFORMATION_REQUESTED]
        row = dict(
            id=pk,
            topic_id=topic_id,
            requested_by_id=lead,
            recipient_id=recipient,
            question=f"Please tell us about {_words(rng, 10)}?",
            created_by_id=officer,
            created_at=_aware(drafted_on, 10),
        )
        self._event(
            InformationRequest, pk, E.INFORMATION_REQUEST_DRAFTED, "", RequestState.DRAFT,
            officer, _aware(drafted_on, 10),
        )  # fmt: skip
        if issued_on is None:
            w.add(
                InformationRequest,
                state=RequestState.DRAFT,
                updated_at=_aware(drafted_on, 10),
                **row,
            )
            return False
        rule = self.rule("information_request", self.org_kind[lead])
        due = self.due(rule.slug, issued_on)
        issued_at = _aware(issued_on, 20)
        self._event(
            InformationRequest, pk, E.INFORMATION_REQUEST_ISSUED, RequestState.DRAFT,
            RequestState.ISSUED, officer, issued_at,
        )  # fmt: skip
        self._ask_notice(InformationRequest, pk, recipient, due, officer, issued_at, "Request")
        row.update(
            issued_on=issued_on,
            due_rule_id=rule.pk,
            clock_started_on=issued_on,
            due_on=due.date,
            due_explanation=due.explanation,
        )
        final = RequestState.ISSUED
        if rng.random() < REQUESTS_ANSWERED.get(state, 0) and answer_by > issued_on:
            outcome = rng.choices(
                [RequestState.ANSWERED, RequestState.PARTIALLY_ANSWERED, RequestState.REFUSED],
                [0.7, 0.2, 0.1],
            )[0]
            ground = rng.choice(RefusalGround.values) if outcome == RequestState.REFUSED else ""
            responded_on = self._answer(
                InformationRequest, pk, recipient, officer, RequestState.ISSUED, outcome,
                issued_on, answer_by, due, rule, ground=ground,
            )  # fmt: skip
            final = outcome
            row.update(responded_on=responded_on, refusal_ground=ground)
        w.add(InformationRequest, state=final, updated_at=issued_at, **row)
        return True

    def _recommendation(self, topic_id, lead, recipient, officer, state, made_on, answer_by):
        rng, w = self.rng, self.w
        pk = w.new_id(Recommendation)
        chair = self.people[(lead, CHAIR)][0]
        agreed_on = made_on - dt.timedelta(days=2)
        drafted_on = agreed_on - dt.timedelta(days=5)
        rule = self.rule("recommendation", self.org_kind[lead])
        due = self.due(rule.slug, made_on)
        issued_at = _aware(made_on, 20)
        RS = RecommendationState
        for event, source, target, actor, day in (
            (E.RECOMMENDATION_DRAFTED, "", RS.DRAFT, officer, drafted_on),
            (E.RECOMMENDATION_AGREED_BY_CHAIR, RS.DRAFT, RS.AGREED, chair, agreed_on),
            (E.RECOMMENDATION_ISSUED, RS.AGREED, RS.ISSUED, officer, made_on),
        ):
            self._event(Recommendation, pk, event, source, target, actor, _aware(day, 15))
        self._ask_notice(Recommendation, pk, recipient, due, officer, issued_at, "Recommendation")
        row = dict(
            id=pk,
            topic_id=topic_id,
            made_by_id=lead,
            recipient_id=recipient,
            text=f"We recommend that {_words(rng, 14)}.",
            rationale=f"Because {_words(rng, 10)}.",
            agreement_basis="chair",
            agreed_on=agreed_on,
            agreed_by_id=chair,
            agreement_note="Agreed by the chair between meetings.",
            issued_on=made_on,
            due_rule_id=rule.pk,
            clock_started_on=made_on,
            due_on=due.date,
            due_explanation=due.explanation,
            created_by_id=officer,
            created_at=_aware(drafted_on, 15),
            updated_at=issued_at,
        )
        final = RS.ISSUED
        if rng.random() < RECOMMENDATIONS_ANSWERED.get(state, 0) and answer_by > made_on:
            outcome = rng.choice(RecommendationOutcome.values)
            responded_on = self._answer(
                Recommendation, pk, recipient, officer, RS.ISSUED, outcome, made_on,
                answer_by, due, rule,
            )  # fmt: skip
            final = RS.RESPONDED
            row.update(responded_on=responded_on, outcome=outcome)
            if outcome in (
                RecommendationOutcome.ACCEPTED,
                RecommendationOutcome.PARTIALLY_ACCEPTED,
            ):
                row["implementation_status"] = rng.choice(ImplementationStatus.values)
        w.add(Recommendation, state=final, **row)

    def _answer(self, model, pk, body, officer, issued, outcome, issued_on, by_day, due, rule,
                ground=""):  # fmt: skip
        """The answer (and its corrections and further information) to one item, with the
        transition events `respond` writes; returns the day of the current answer."""
        rng, w = self.rng, self.w
        window = max(1, (by_day - issued_on).days)
        received_on = issued_on + dt.timedelta(days=rng.randint(1, window))
        region = rule.terms_on(issued_on).effective_region
        extra = self.extra_spread.take()
        corrections = 1 if extra and rng.random() < CORRECTED_SHARE else 0
        further = extra - corrections
        is_request = model is InformationRequest
        event = {
            RequestState.ANSWERED: E.INFORMATION_REQUEST_ANSWERED,
            RequestState.PARTIALLY_ANSWERED: E.INFORMATION_REQUEST_PARTIALLY_ANSWERED,
            RequestState.REFUSED: E.INFORMATION_REQUEST_REFUSED,
        }.get(outcome, E.RECOMMENDATION_RESPONDED)
        further_event = (
            E.INFORMATION_REQUEST_FURTHER_INFORMATION
            if is_request
            else E.RECOMMENDATION_FURTHER_INFORMATION
        )
        responders = self.people[(body, RESPONDER)]
        previous = None
        source = issued
        day = received_on
        for n in range(1 + corrections + further):
            kind = ResponseKind.ANSWER if n <= corrections else ResponseKind.FURTHER_INFORMATION
            channel = rng.choice(Channel.values)
            officer_recorded = channel in (Channel.LETTER, Channel.EMAIL, Channel.MEETING)
            by = officer if officer_recorded else rng.choice(responders)
            received_at = _aware(day, 60 + n)
            created_at = received_at + dt.timedelta(hours=2)
            late = self.late(due.date, day, region)
            response = w.add(
                ProviderResponse,
                information_request_id=pk if is_request else None,
                recommendation_id=None if is_request else pk,
                organisation_id=body,
                channel=channel,
                received_at=received_at,
                submitted_by_id=None if officer_recorded else by,
                recorded_by_id=by if officer_recorded else None,
                text=f"In answer: {_words(rng, 25)}.",
                outcome=outcome,
                refusal_ground=ground if kind == ResponseKind.ANSWER else "",
                kind=kind,
                supersedes_id=previous if n and kind == ResponseKind.ANSWER else None,
                correction_reason=(
                    "The figures given were for the wrong quarter."
                    if n and kind == ResponseKind.ANSWER
                    else ""
                ),
                due_on=due.date,
                on_time=day <= due.date,
                working_days_late=late,
                created_at=created_at,
            )
            if kind == ResponseKind.ANSWER:
                note = f"via {channel}" + ("; correction: figures" if n else "")
                self._event(model, pk, event, source, outcome if is_request else "responded",
                            by, created_at, note=note)  # fmt: skip
                source = outcome if is_request else "responded"
                previous = response
                answered_on = day
            else:
                self._event(model, pk, further_event, source, source, by, created_at,
                            note=f"via {channel}", data={"response": response})  # fmt: skip
            day = min(by_day, day + dt.timedelta(days=rng.randint(0, 5)))
        return answered_on

    # -- meetings -----------------------------------------------------------------------------

    def _meetings(self) -> None:
        rng, w = self.rng, self.w
        for m in range(self.shape.meetings):
            p_index = m % len(self.partnerships)
            partnership, network, committees, _ = self.partnerships[p_index]
            joint = rng.random() < 0.3
            body = None if joint else rng.choice([network, *committees])
            organiser = network if joint else body
            officer = self.people[(organiser, OFFICER)][0]
            day = self.today + dt.timedelta(days=rng.randint(-720, 90))
            due = self.due(Meeting.RULE, day)
            past = day < self.today
            state = MeetingState.HELD if past else MeetingState.SCHEDULED
            if rng.random() < 0.05:
                state = MeetingState.CANCELLED
            published = past or (due.date <= self.today and state == MeetingState.SCHEDULED)
            published_at = _aware(min(due.date, self.today) - dt.timedelta(days=1), 45)
            pk = w.add(
                Meeting,
                title=f"{'Joint meeting' if joint else 'Meeting'} of area {p_index:03d}",
                body_id=body,
                partnership_id=partnership if joint else None,
                date=day,
                start_time=dt.time(10, 0),
                end_time=dt.time(12, 0),
                place="Council Chamber, Town Hall",
                state=state,
                cancellation_reason="Not quorate." if state == MeetingState.CANCELLED else "",
                agenda=AgendaState.PUBLISHED if published else AgendaState.UNPUBLISHED,
                agenda_published_at=published_at if published else None,
                due_rule_id=self.agenda_rule.pk,
                clock_started_on=day,
                due_on=due.date,
                due_explanation=due.explanation,
                sequence=int(published) + int(state != MeetingState.SCHEDULED),
                created_by_id=officer,
                created_at=_aware(day - dt.timedelta(days=30)),
            )
            if published:
                self._event(Meeting, pk, E.MEETING_AGENDA_PUBLISHED, AgendaState.UNPUBLISHED,
                            AgendaState.PUBLISHED, officer, published_at)  # fmt: skip
            if state != MeetingState.SCHEDULED:
                self._event(
                    Meeting, pk,
                    E.MEETING_HELD if state == MeetingState.HELD else E.MEETING_CANCELLED,
                    MeetingState.SCHEDULED, state, officer, _aware(min(day, self.today), 180),
                )  # fmt: skip
            topics = self.topics_of[partnership]
            for position in range(1, AGENDA_ITEMS + 1):
                exempt = rng.random() < EXEMPT_SHARE
                topic = rng.choice(topics) if topics else None
                w.add(
                    AgendaItem,
                    meeting_id=pk,
                    position=position,
                    title=f"Item {position}: {_words(rng, 5)}",
                    topic_id=topic,
                    summary=_words(rng, 20),
                    exempt=exempt,
                    exempt_paragraph=3 if exempt else None,
                    public_interest_reason=(
                        "The public interest in withholding outweighs disclosure." if exempt else ""
                    ),
                    decision="Noted." if state == MeetingState.HELD else "",
                    created_at=_aware(day - dt.timedelta(days=20)),
                )
            if (m + 1) % (BATCH_TOPICS // 2) == 0:
                w.flush()

    # -- the printed logins -------------------------------------------------------------------

    def _printed(self) -> Printed:
        User = get_user_model()
        responder = User.objects.get(pk=self.responder)
        _, raw = issue_key(
            responder,
            Organisation.objects.get(pk=self.big_trust),
            "Benchmark key (seed_scale)",
            [ApiKey.Scope.READ, ApiKey.Scope.RESPOND],
        )
        return Printed(
            officer="scale-officer", member="scale-member", responder="scale-responder", api_key=raw
        )


class _KindOnly:
    """What `rule_for` reads of an asking body: its kind (and the label of the kind)."""

    def __init__(self, kind: str):
        self.kind = kind

    def get_kind_display(self) -> str:
        return Organisation.Kind(self.kind).label


def seed_scale(scale: float, password: str, *, seed: int = 13) -> tuple[Printed, dict[str, int]]:
    """Load the national-scale data set at `scale` into an empty database."""
    return ScaleLoader(scale, password, seed=seed).run()
