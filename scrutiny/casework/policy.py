"""Who may see and do what: the one policy (docs/decisions/0011-one-policy.md).

Two questions, for every actor and every object of the product:

- `can(actor, perm, obj)`: may this actor do `perm` to `obj`? Without `obj`: anywhere at all
  (does a role of theirs grant it in some body — "show the 'raise a topic' link").
- `visible(actor, queryset, perm=None)`: the rows of `queryset` the actor may see (or, with
  `perm`, may do `perm` to). Pages, the API, feeds and the admin fetch through it, so what a
  user may not see is 404, never 403.

Actors: an anonymous visitor, a signed-in person (their roles come from `Membership`), a
superuser (everything), and an API key (`actor_of(request)`): it acts for its person, only in
its own health body, with the person's role there, and carries the API permissions of its
scopes. The vocabulary (roles, `Perm`, what each role holds) is `scrutiny.casework.roles`.

Objects are dispatched on `_meta.label`, so joint working (meetings, agenda items, papers,
protocols) and the machine interface (API keys, webhooks) are answered here without this module
importing `protocols` or `api`, which sit above the casework: their visibility is defined by
casework memberships, and the rules read only their attributes and field lookups (body,
partnership, organisation, recipient). An object belongs to its one body or to every party of
its partnership (`owner_ids`).

Topic permissions are the roles of the person in the topic's bodies, which are read from an index
(`TopicAccess`, built from the casework by `scrutiny.casework.grants`), cached per user and
request; everything else is answered from the
roles cache and the objects' own columns. The policy is also an authentication backend
(`PolicyBackend`): `user.has_perm(Perm.X, obj)` — the FSM `permission=` callables and the
querysets' `.visible_to(user)` — lands here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from scrutiny.casework.models import (
    PROVIDER_SEES,
    CallInRequest,
    Consultation,
    InformationRequest,
    Membership,
    Organisation,
    Partnership,
    Recommendation,
    Referral,
    RelevantDecision,
    Topic,
    TopicAccess,
    TopicSuggestion,
)
from scrutiny.casework.roles import (
    AREA_ADMIN,
    CHAIR,
    MEMBER,
    NOT_THROUGH_A_KEY,
    OFFICER,
    RESPONDER,
    ROLE_PERMS,
    ROLE_TOPIC_PERMS,
    SCOPE_PERMS,
    SEAT_CO_OPTEE,
    SEAT_SUBSTITUTE,
    STAFF_ROLES,
    TOPIC_CODENAMES,
    Perm,
)

API_SCOPE_PERMS = frozenset().union(*SCOPE_PERMS.values())
# Permissions of a health body's own things: never held in another kind of body.
HEALTH_BODY_PERMS = frozenset({Perm.HEALTH_BODY_ACT, Perm.KEY_MANAGE, Perm.WEBHOOK_MANAGE})

# --- actors ----------------------------------------------------------------------------------


def _is_key(actor) -> bool:
    meta = getattr(actor, "_meta", None)
    return meta is not None and meta.label == "api.ApiKey"


def actor_of(request):
    """Who acts in `request`: the API key when the API authenticated one, else the person
    signed in (or the anonymous visitor)."""
    auth = getattr(request, "auth", None)
    return auth if _is_key(auth) else getattr(request, "user", None)


def _active(actor) -> bool:
    if _is_key(actor):
        return actor.revoked_at is None and _active(actor.user)
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def _superuser(actor) -> bool:
    return not _is_key(actor) and _active(actor) and actor.is_superuser


def roles_by_body(user) -> dict[int, set[str]]:
    """{organisation id: {roles}} of a person, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_cf_roles_by_body", None)
    if cached is None:
        cached = {}
        rows = Membership.objects.filter(user=user).values_list("organisation_id", "role")
        for org_id, role in rows:
            cached.setdefault(org_id, set()).add(role)
        user._cf_roles_by_body = cached
    return cached


def _roles(actor) -> dict[int, set[str]]:
    if _is_key(actor):
        mine = roles_by_body(actor.user).get(actor.organisation_id)
        return {actor.organisation_id: mine} if mine else {}
    return roles_by_body(actor)


def _holds(actor, perm: Perm, roles) -> bool:
    if not any(perm in ROLE_PERMS.get(role, ()) for role in roles):
        return False
    if _is_key(actor):
        if perm in NOT_THROUGH_A_KEY:
            return False
        if perm in API_SCOPE_PERMS:
            return any(perm in SCOPE_PERMS.get(scope, ()) for scope in actor.scopes or ())
    return True


def body_ids(actor, perm: Perm) -> set[int]:
    """Ids of the bodies in which the actor's roles grant `perm` (a superuser's too: only
    their own memberships)."""
    if not _active(actor):
        return set()
    return {org for org, roles in _roles(actor).items() if _holds(actor, perm, roles)}


# --- two-factor sign-in -------------------------------------------------------------------

# The names a deployment may list in CF_2FA_REQUIRED_ROLES: each role's value, or a short name.
TWO_FACTOR_ROLE_NAMES = {
    OFFICER: OFFICER,
    "officer": OFFICER,
    MEMBER: MEMBER,
    "member": MEMBER,
    CHAIR: CHAIR,
    RESPONDER: RESPONDER,
    AREA_ADMIN: AREA_ADMIN,
    "admin": AREA_ADMIN,
}


def two_factor_roles(names: Iterable[str]) -> set[str]:
    """The roles that CF_2FA_REQUIRED_ROLES names; ValueError names any it does not know."""
    unknown = sorted(name for name in names if name not in TWO_FACTOR_ROLE_NAMES)
    if unknown:
        raise ValueError(
            f"unknown role {', '.join(unknown)}; use {', '.join(sorted(TWO_FACTOR_ROLE_NAMES))}"
        )
    return {TWO_FACTOR_ROLE_NAMES[name] for name in names}


def two_factor_required(user) -> bool:
    """Must this person sign in with a second factor? Superusers and staff (the admin site)
    always; anyone holding, in any body, a role listed in CF_2FA_REQUIRED_ROLES."""
    if _is_key(user) or not _active(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    wanted = two_factor_roles(settings.CF_2FA_REQUIRED_ROLES)
    return any(roles & wanted for roles in roles_by_body(user).values()) if wanted else False


# --- co-optees: a seat on a committee, not a role in it ---------------------------------------

# What a co-optee's seat lets them do with the meetings of the committee they sit on.
CO_OPTEE_PERMS = frozenset({Perm.MEETING_VIEW, Perm.MEETING_PACK, Perm.PAPER_VIEW})


def co_opted_bodies(actor) -> dict[int, bool]:
    """{body id: whether exempt items are included} for the committees on which the person
    holds, today, a co-optee's seat or a substitute's seat for a co-optee
    (`protocols.CommitteeSeat`, read through its reverse relation `seats`); the committee's
    `governance_rules.co_optees_see_exempt` says whether exempt items are theirs too (default:
    not). Cached on the user for the request; an API key has none."""
    if _is_key(actor) or not _active(actor):
        return {}
    cached = getattr(actor, "_cf_co_opted", None)
    if cached is None:
        today = timezone.localdate()
        seat = Q(seats__role=SEAT_CO_OPTEE) | Q(
            seats__role=SEAT_SUBSTITUTE, seats__substitute_for__role=SEAT_CO_OPTEE
        )
        rows = Organisation.objects.filter(
            seat,
            Q(seats__ends_on__isnull=True) | Q(seats__ends_on__gte=today),
            seats__user=actor,
            seats__starts_on__lte=today,
        ).values_list("pk", "governance_rules__co_optees_see_exempt")
        cached = {}
        for pk, exempt in rows:
            cached[pk] = cached.get(pk, False) or bool(exempt)
        actor._cf_co_opted = cached
    return cached


def _co_opted_to(actor, owners, *, exempt: bool = False) -> bool:
    seats = co_opted_bodies(actor)
    return any(seats[b] if exempt else True for b in set(owners) & set(seats))


def _held(actor, perm: Perm, owners) -> bool:
    return _superuser(actor) or bool(set(owners) & body_ids(actor, perm))


def _roles_holding(perm: Perm) -> list[str]:
    return [role for role, perms in ROLE_PERMS.items() if perm in perms]


class People:
    """The active people of some bodies, loaded in one query and found by what their roles let
    them do: who is told about a deadline is who can act on it (the sweep's reminders)."""

    def __init__(self, org_ids: Iterable[int]):
        self._by: dict[tuple[int, str], list] = defaultdict(list)
        ids = set(org_ids) - {None}
        if ids:
            rows = (
                Membership.objects.filter(organisation_id__in=ids, user__is_active=True)
                .select_related("user")
                .order_by("user_id")
            )
            for m in rows:
                self._by[(m.organisation_id, m.role)].append(m.user)

    def holding(self, org_ids: Iterable[int], perm: Perm) -> list:
        """Who holds `perm` in one of `org_ids`, body by body (in id order), each once."""
        roles = _roles_holding(perm)
        out, seen = [], set()
        for org_id in sorted(set(org_ids) - {None}):
            found = {u.pk: u for role in roles for u in self._by[(org_id, role)]}
            for pk in sorted(found):
                if pk not in seen:
                    seen.add(pk)
                    out.append(found[pk])
        return out

    def chairs_or(self, org_ids: Iterable[int], perm: Perm) -> list:
        """The bodies' chairs; where there is none, those who hold `perm` (escalations)."""
        return self.holding(org_ids, Perm.CHAIR_BODY) or self.holding(org_ids, perm)


def holders(perm: Perm, owners):
    """The people whose role in one of the bodies `owners` (ids, or a subquery of them)
    grants `perm`."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation__in=owners, memberships__role__in=_roles_holding(perm)
        )
        .distinct()
    )


# --- whose object ----------------------------------------------------------------------------


def _parties(partnership) -> set[int]:
    cached = getattr(partnership, "_cf_party_ids", None)
    if cached is None:
        cached = partnership._cf_party_ids = partnership.party_ids()
    return cached


def owner_ids(obj) -> set[int]:
    """The bodies `obj` belongs to: its one body, or every party of its partnership (a topic,
    meeting, protocol or its version, suggestion, or a partnership itself)."""
    if obj._meta.label == "scrutiny.Partnership":
        return _parties(obj)
    if obj._meta.label == "protocols.ProtocolVersion":
        obj = obj.protocol
    if getattr(obj, "partnership_id", None):
        return _parties(obj.partnership)
    return {obj.body_id} if getattr(obj, "body_id", None) else set()


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _owned_q(model, bodies) -> Q:
    bodies = list(bodies)
    if model._meta.label == "scrutiny.Partnership":
        return Q(involvement_network__in=bodies) | Q(scrutiny_committees__in=bodies)
    prefix = ""
    if _has_field(model, "protocol"):  # a protocol version: through its protocol
        prefix, model = "protocol__", model._meta.get_field("protocol").related_model
    q = Q(pk__in=[])
    if _has_field(model, "partnership"):
        q = Q(**{f"{prefix}partnership__involvement_network__in": bodies}) | Q(
            **{f"{prefix}partnership__scrutiny_committees__in": bodies}
        )
    if _has_field(model, "body"):
        q |= Q(**{f"{prefix}body__in": bodies})
    return q


def owned_by(queryset, bodies):
    """The rows of `queryset` that belong to one of `bodies` (as `owner_ids` reads them)."""
    model = queryset.model
    owned = model._default_manager.filter(_owned_q(model, bodies))
    return queryset.filter(pk__in=owned.values("pk"))


# --- topic permissions: the access index, cached per user --------------------------------------
# A topic's bodies are indexed in `TopicAccess` (built by `scrutiny.casework.grants`): its parties
# and the health bodies something was issued to. What the actor holds on a topic is what their
# roles in those bodies give: a staff role in a party body `ROLE_TOPIC_PERMS[role]`, a responder
# of a recipient body `view_topic`. "Which topics" is one semi-join on that index, whose body ids
# come from the roles cache (docs/decisions/0019-visibility-at-scale.md).


def _perm_cache(user) -> dict[int, set[str]]:
    """{topic id: {codenames}} cached on `user`; dropped with the roles cache
    (`forget_topic_perms`), so a new membership is seen at once."""
    stamp = roles_by_body(user)
    cache = getattr(user, "_cf_topic_perms", None)
    if cache is None or cache[0] is not stamp:
        cache = (stamp, {})
        user._cf_topic_perms = cache
    return cache[1]


def _row_codenames(roles: set[str], as_party: bool, as_recipient: bool) -> set[str]:
    """The topic codenames that roles in one body give through one access row."""
    held: set[str] = set()
    for role in roles:
        if (as_party and role in STAFF_ROLES) or (as_recipient and role == RESPONDER):
            held.update(p.value for p in ROLE_TOPIC_PERMS[role])
    return held


def prefetch_topic_perms(user, topics) -> None:
    """Load `user`'s permissions on every topic in `topics` with one query (for lists)."""
    if _is_key(user) or not _active(user) or user.is_superuser:
        return
    cache = _perm_cache(user)
    ids = [t.pk for t in topics if t.pk not in cache]
    if not ids:
        return
    for topic_id in ids:
        cache[topic_id] = set()
    roles = roles_by_body(user)
    if not roles:
        return
    rows = TopicAccess.objects.filter(topic_id__in=ids, organisation_id__in=roles).values_list(
        "topic_id", "organisation_id", "as_party", "as_recipient"
    )
    for topic_id, org_id, as_party, as_recipient in rows:
        cache[topic_id] |= _row_codenames(roles[org_id], as_party, as_recipient)


def topic_perms(actor, topic) -> set[str]:
    """The topic codenames the actor holds on `topic` (every one for a superuser; for an API
    key, `view_topic` once something is issued to its body on the topic)."""
    if not _active(actor):
        return set()
    if _superuser(actor):
        return set(TOPIC_CODENAMES)
    if _is_key(actor):
        issued = _issued_to_key(actor, Topic.objects.filter(pk=topic.pk)).exists()
        return {Perm.TOPIC_VIEW.value} if issued else set()
    cache = _perm_cache(actor)
    if topic.pk not in cache:
        prefetch_topic_perms(actor, [topic])
    return cache[topic.pk]


def forget_topic_perms(user) -> None:
    """Drop the cached answers (after a grant or membership changed within the request)."""
    for attr in ("_cf_topic_perms", "_cf_roles_by_body", "_cf_co_opted"):
        if hasattr(user, attr):
            delattr(user, attr)


def _issued_to_key(key, topics):
    bodies = body_ids(key, Perm.TOPIC_VIEW)
    return topics.filter(
        pk__in=TopicAccess.objects.filter(organisation_id__in=bodies, as_recipient=True).values(
            "topic_id"
        )
    )


def _responder_bodies(actor, perm: Perm) -> set[int]:
    """The health bodies in which the actor holds `perm` as a responder (a person)."""
    return {
        org
        for org, roles in roles_by_body(actor).items()
        if RESPONDER in roles and perm in ROLE_PERMS[RESPONDER]
    }


def topic_ids_with(actor, perm: Perm):
    """The ids of the topics on which the (active, non-superuser) person holds the topic
    permission `perm`: a subquery of the access index, or None when there are none."""
    party, recipient = set(), set()
    for org, roles in roles_by_body(actor).items():
        if any(perm in ROLE_TOPIC_PERMS[r] for r in roles & STAFF_ROLES):
            party.add(org)
        if RESPONDER in roles and perm in ROLE_TOPIC_PERMS[RESPONDER]:
            recipient.add(org)
    if not (party or recipient):
        return None
    q = Q(pk__in=[])
    if party:
        q = Q(organisation_id__in=sorted(party), as_party=True)
    if recipient:
        by_recipient = Q(organisation_id__in=sorted(recipient), as_recipient=True)
        q = q | by_recipient if party else by_recipient
    return TopicAccess.objects.filter(q).values("topic_id")


def _topic_rows(actor, qs, perm: Perm, field: str = "pk"):
    """The rows of `qs` whose topic (`field`) the actor holds `perm` on."""
    if not _active(actor):
        return qs.none()
    if _superuser(actor):
        return qs
    if _is_key(actor):
        if perm != Perm.TOPIC_VIEW:
            return qs.none()
        issued = _issued_to_key(actor, Topic.objects.all()).values("pk")
        return qs.filter(**{f"{field}__in": issued})
    ids = topic_ids_with(actor, perm)
    return qs.none() if ids is None else qs.filter(**{f"{field}__in": ids})


# --- the rules, by kind of object -------------------------------------------------------------
# Each kind: which permissions apply to it, what `can` answers and which rows `visible` keeps.
# `_can_*(actor, perm, obj)` and `_rows_*(actor, qs, perm)`; `actor` may be inactive.


def _can_topic(actor, perm, topic):
    return perm.value in topic_perms(actor, topic)


def _rows_topic(actor, qs, perm):
    return _topic_rows(actor, qs, perm)


_ITEM_TOPIC_PERM = {Perm.ITEM_VIEW: Perm.TOPIC_CASE_FILE, Perm.RESPOND: Perm.TOPIC_MANAGE}


def _can_item(actor, perm, item):
    """Staff of the topic's bodies through the topic; the recipient's responders once issued;
    a recommendation's agreement by chair's action: the chair of the body making it."""
    if perm == Perm.RECOMMENDATION_AGREE:
        # The asking body is always one of the topic's bodies, whose chairs see its case file.
        return _held(actor, perm, {item.made_by_id})
    if perm in TOPIC_CODENAMES:
        return _can_topic(actor, perm, item.topic)
    if item.was_issued and item.recipient_id in body_ids(actor, perm):
        return True
    return _can_topic(actor, _ITEM_TOPIC_PERM[perm], item.topic)


def _rows_item(actor, qs, perm):
    if not _active(actor):
        return qs.none()
    if _superuser(actor):
        return qs
    if perm == Perm.RECOMMENDATION_AGREE:
        return qs.filter(made_by__in=body_ids(actor, perm))
    topic_perm = perm if perm in TOPIC_CODENAMES else _ITEM_TOPIC_PERM[perm]
    # Recipients are health bodies, where the only role is a responder's: a staff-only
    # person's rows are one semi-join on the access index, not an OR with a subquery.
    if _is_key(actor):
        q = Q(topic__in=_topic_rows(actor, Topic.objects.all(), topic_perm).values("pk"))
        recipients = body_ids(actor, perm) if perm in _ITEM_TOPIC_PERM else set()
        if recipients:
            q |= Q(recipient__in=recipients, issued_on__isnull=False)
        return qs.filter(q)
    recipients = _responder_bodies(actor, perm) if perm in _ITEM_TOPIC_PERM else set()
    ids = topic_ids_with(actor, topic_perm)
    if ids is None and not recipients:
        return qs.none()
    q = Q(topic__in=ids) if ids is not None else Q(pk__in=[])
    if recipients:
        by_recipient = Q(recipient__in=sorted(recipients), issued_on__isnull=False)
        q = by_recipient if ids is None else q | by_recipient
    return qs.filter(q)


def _can_referral(actor, perm, referral):
    if perm == Perm.REFERRAL_ACKNOWLEDGE:
        return _held(actor, perm, {referral.to_body_id})
    return _can_topic(actor, perm, referral.topic)


def _rows_referral(actor, qs, perm):
    if perm == Perm.REFERRAL_ACKNOWLEDGE:
        return qs if _superuser(actor) else qs.filter(to_body__in=body_ids(actor, perm))
    return _topic_rows(actor, qs, perm, field="topic")


# --- Enter and View: the network's staff; the provider's responders from the accuracy check on


def _visit_bodies(actor, perm, visit) -> set[int]:
    """The bodies whose holders of `perm` may have it on `visit`."""
    bodies = {visit.network_id}
    if perm in (Perm.ITEM_VIEW, Perm.RESPOND) and visit.state in PROVIDER_SEES:
        bodies.add(visit.site.body_id)
    return bodies


def _can_visit(actor, perm, visit):
    return _held(actor, perm, _visit_bodies(actor, perm, visit))


def _rows_visit(actor, qs, perm):
    if _superuser(actor):
        return qs
    bodies = body_ids(actor, perm)
    q = Q(network__in=bodies)
    if perm in (Perm.ITEM_VIEW, Perm.RESPOND):
        q |= Q(site__body__in=bodies, state__in=PROVIDER_SEES)
    return qs.filter(q)


def _can_representative(actor, perm, representative):
    return _held(actor, perm, {representative.body_id})


def _rows_representative(actor, qs, perm):
    return qs if _superuser(actor) else qs.filter(body__in=body_ids(actor, perm))


def _can_safeguarding(actor, perm, concern):
    return _held(actor, perm, {concern.visit.network_id})


def _rows_safeguarding(actor, qs, perm):
    return qs if _superuser(actor) else qs.filter(visit__network__in=body_ids(actor, perm))


def representative_may_visit(representative, *, network, on) -> bool:
    """May `representative` be named on a visit by `network` on day `on`? Only a person that
    network authorised, with the authorisation in force that day (SI 2013/351 reg 12; SI
    2008/915 reg 4)."""
    return representative.body_id == network.pk and representative.authorised_on_day(on)


def visit_networks(actor):
    """The involvement networks whose visits `actor` may plan and manage."""
    return Organisation.objects.filter(
        pk__in=body_ids(actor, Perm.VISIT_MANAGE), kind=Organisation.Kind.INVOLVEMENT_NETWORK
    )


def _can_response(actor, perm, response):
    return _can_item(actor, perm, response.subject)


def _rows_response(actor, qs, perm, prefix=""):
    requests = _rows_item(actor, InformationRequest.all_objects.all(), perm)
    recommendations = _rows_item(actor, Recommendation.all_objects.all(), perm)
    return qs.filter(
        Q(**{f"{prefix}information_request__in": requests.values("pk")})
        | Q(**{f"{prefix}recommendation__in": recommendations.values("pk")})
    )


def _can_attachment(actor, perm, attachment):
    return _can_response(actor, perm, attachment.response)


def _rows_attachment(actor, qs, perm):
    return _rows_response(actor, qs, perm, prefix="response__")


def _can_evidence(actor, perm, evidence):
    return _can_item(actor, perm, evidence.update.recommendation)


def _rows_evidence(actor, qs, perm):
    recommendations = _rows_item(actor, Recommendation.all_objects.all(), perm)
    return qs.filter(update__recommendation__in=recommendations.values("pk"))


def _can_owned(actor, perm, obj):
    """Held by a role in one of the object's bodies (partnerships, suggestions)."""
    return _held(actor, perm, owner_ids(obj))


def _rows_owned(actor, qs, perm):
    if _superuser(actor):
        return qs
    return owned_by(qs, body_ids(actor, perm))


def _can_contact(actor, perm, contact):
    return _can_owned(actor, perm, contact.suggestion)


def _rows_contact(actor, qs, perm):
    return qs.filter(suggestion__in=_rows_owned(actor, TopicSuggestion.objects.all(), perm))


def _rows_partnership(actor, qs, perm):
    """The partnerships of one's bodies. (With `view_case_file` that is also every partnership
    with a topic whose case file one may see: a partnership's topics are its parties' — the
    access index holds no other party rows — so no join over the topics is needed.)"""
    return _rows_owned(actor, qs, perm)


def _can_organisation(actor, perm, organisation):
    if perm in HEALTH_BODY_PERMS and not organisation.is_health_body:
        return False
    return _held(actor, perm, {organisation.pk})


def _rows_organisation(actor, qs, perm):
    if perm in HEALTH_BODY_PERMS:
        qs = qs.filter(kind="health_body")
    return qs if _superuser(actor) else qs.filter(pk__in=body_ids(actor, perm))


def _can_meeting(actor, perm, meeting):
    if perm == Perm.MEETING_VIEW and meeting.agenda_published_at is not None:
        return True
    if perm in CO_OPTEE_PERMS and _co_opted_to(actor, owner_ids(meeting)):
        return True
    return _held(actor, perm, owner_ids(meeting))


def _co_opted_meetings(actor, model, *, exempt: bool = False):
    """The meetings of the committees the actor is co-opted to (with `exempt`: only those
    whose rules give co-optees exempt items)."""
    seats = co_opted_bodies(actor)
    bodies = [b for b, sees in seats.items() if sees or not exempt]
    return owned_by(model._default_manager.all(), bodies)


def _rows_meeting(actor, qs, perm):
    if _superuser(actor):
        return qs
    own = owned_by(qs.model._default_manager.all(), body_ids(actor, perm)).values("pk")
    q = Q(pk__in=own)
    if perm in CO_OPTEE_PERMS and co_opted_bodies(actor):
        q |= Q(pk__in=_co_opted_meetings(actor, qs.model).values("pk"))
    if perm == Perm.MEETING_VIEW:
        return qs.filter(Q(agenda_published_at__isnull=False) | q)
    return qs.filter(q)


def _in_public(item) -> bool:
    return item.meeting.agenda_published_at is not None and not item.exempt


def _can_agenda_item(actor, perm, item):
    """Members of the meeting's bodies see every item; the co-optees of its committees every
    non-exempt item (exempt ones too where the committee's rules say so); everyone else the
    non-exempt items of a published agenda."""
    if perm == Perm.MEETING_VIEW:
        owners = owner_ids(item.meeting)
        return (
            _in_public(item)
            or _co_opted_to(actor, owners, exempt=item.exempt)
            or _held(actor, Perm.MEETING_IN_FULL, owners)
        )
    return _can_meeting(actor, perm, item.meeting)


def _rows_in_meetings(actor, qs, prefix: str):
    """Agenda items (prefix "") or papers (prefix "item__"): every one of the meetings of
    one's own bodies, the non-exempt ones (or all, where the rules say so) of the committees
    one is co-opted to, and the non-exempt ones of published agendas."""
    if _superuser(actor):
        return qs
    meeting_model = qs.model
    for name in f"{prefix}meeting".split("__"):
        meeting_model = meeting_model._meta.get_field(name).related_model
    own = owned_by(meeting_model._default_manager.all(), body_ids(actor, Perm.MEETING_IN_FULL))
    public = Q(**{f"{prefix}exempt": False, f"{prefix}meeting__agenda_published_at__isnull": False})
    q = public | Q(**{f"{prefix}meeting__in": own.values("pk")})
    if co_opted_bodies(actor):
        seated = _co_opted_meetings(actor, meeting_model).values("pk")
        seated_exempt = _co_opted_meetings(actor, meeting_model, exempt=True).values("pk")
        q |= Q(**{f"{prefix}exempt": False, f"{prefix}meeting__in": seated})
        q |= Q(**{f"{prefix}meeting__in": seated_exempt})
    return qs.filter(q)


def _rows_agenda_item(actor, qs, perm):
    return _rows_in_meetings(actor, qs, "")


def _can_minutes(actor, perm, minutes):
    """Published minutes are public; the staff of the meeting's bodies see them in every
    state, and its officers move them on."""
    if perm == Perm.MEETING_VIEW:
        if minutes.state == "published":
            return True
        return _held(actor, Perm.MEETING_IN_FULL, owner_ids(minutes.meeting))
    return _can_meeting(actor, perm, minutes.meeting)


def _rows_minutes(actor, qs, perm):
    if _superuser(actor):
        return qs
    meeting_model = qs.model._meta.get_field("meeting").related_model
    wanted = Perm.MEETING_IN_FULL if perm == Perm.MEETING_VIEW else perm
    own = owned_by(meeting_model._default_manager.all(), body_ids(actor, wanted)).values("pk")
    q = Q(meeting__in=own)
    if perm == Perm.MEETING_VIEW:
        q |= Q(state="published")
    return qs.filter(q)


def _can_paper(actor, perm, paper):
    return _can_agenda_item(actor, Perm.MEETING_VIEW, paper.item)


def _rows_paper(actor, qs, perm):
    return _rows_in_meetings(actor, qs, "item__")


def _can_protocol(actor, perm, obj):
    """A protocol (or a version) with something agreed is public; the parties' staff see
    every version, their officers manage them."""
    if perm == Perm.PROTOCOL_VIEW:
        if obj._meta.label == "protocols.ProtocolVersion":
            public = obj.is_public
        else:
            public = obj.versions.public().exists()
        if public:
            return True
    return _held(actor, perm, owner_ids(obj))


def _rows_protocol(actor, qs, perm):
    if _superuser(actor):
        return qs
    own = owned_by(qs.model._default_manager.all(), body_ids(actor, perm)).values("pk")
    if perm != Perm.PROTOCOL_VIEW:
        return qs.filter(pk__in=own)
    if qs.model._meta.label == "protocols.ProtocolVersion":
        public = qs.model._default_manager.public()
    else:
        public = qs.model._default_manager.with_public_version()
    return qs.filter(Q(pk__in=public.values("pk")) | Q(pk__in=own))


def _can_of_organisation(actor, perm, obj):
    """API keys and webhooks: managed by the responders of their health body."""
    return _can_organisation(actor, perm, obj.organisation)


def _rows_of_organisation(actor, qs, perm, prefix=""):
    if _superuser(actor):
        return qs
    return qs.filter(**{f"{prefix}organisation__in": body_ids(actor, perm)})


def _can_delivery(actor, perm, delivery):
    return _can_of_organisation(actor, perm, delivery.webhook)


def _rows_delivery(actor, qs, perm):
    return _rows_of_organisation(actor, qs, perm, prefix="webhook__")


# Consultations (and their documents and requests to the Secretary of State): the committee's
# staff through the consultation's topic; the proposing health body's responders see its own and
# record its decision (docs/decisions/0023-consultations.md).
_CONSULTATION_TOPIC_PERM = {
    Perm.ITEM_VIEW: Perm.TOPIC_CASE_FILE,
    Perm.TOPIC_MANAGE: Perm.TOPIC_MANAGE,
    Perm.RESPOND: Perm.TOPIC_MANAGE,
}


def _consultation_of(obj):
    return obj if isinstance(obj, Consultation) else obj.consultation


def _can_consultation(actor, perm, obj):
    consultation = _consultation_of(obj)
    if _can_topic(actor, _CONSULTATION_TOPIC_PERM[perm], consultation.topic):
        return True
    if isinstance(obj, CallInRequest) and perm != Perm.ITEM_VIEW:
        return False  # requests to the Secretary of State are recorded by the committee's staff
    return perm != Perm.TOPIC_MANAGE and consultation.body_id in body_ids(actor, perm)


def _rows_consultation(actor, qs, perm):
    if not _active(actor):
        return qs.none()
    if _superuser(actor):
        return qs
    prefix = "" if qs.model is Consultation else "consultation__"
    topics = _topic_rows(actor, Topic.objects.all(), _CONSULTATION_TOPIC_PERM[perm])
    q = Q(**{f"{prefix}topic__in": topics.values("pk")})
    own_body = perm == Perm.ITEM_VIEW or (perm == Perm.RESPOND and qs.model is not CallInRequest)
    bodies = body_ids(actor, perm) if own_body else set()
    if bodies:
        q |= Q(**{f"{prefix}body__in": bodies})
    return qs.filter(q)


# The health-body register: any staff member reads it (the page a joint planning meeting
# starts from); support officers, and the body's own responders, keep it.
def can_keep_register_of(actor, body: Organisation) -> bool:
    if not _active(actor) or not body.is_health_body:
        return False
    return (
        _superuser(actor)
        or bool(body_ids(actor, Perm.TOPIC_MANAGE))
        or body.pk in body_ids(actor, Perm.HEALTH_BODY_ACT)
    )


def _can_register(actor, perm, obj):
    if perm == Perm.TOPIC_MANAGE:
        return can_keep_register_of(actor, obj.body)
    return (
        _superuser(actor)
        or bool(body_ids(actor, Perm.STAFF_PAGES))
        or obj.body_id in body_ids(actor, Perm.HEALTH_BODY_ACT)
    )


def _rows_register(actor, qs, perm):
    if not _active(actor):
        return qs.none()
    staff = Perm.TOPIC_MANAGE if perm == Perm.TOPIC_MANAGE else Perm.STAFF_PAGES
    if _superuser(actor) or body_ids(actor, staff):
        return qs
    return qs.filter(body__in=body_ids(actor, Perm.HEALTH_BODY_ACT))


_T = tuple(Perm(p) for p in TOPIC_CODENAMES)
_ITEM = (*_T, Perm.ITEM_VIEW, Perm.RESPOND)
_RECOMMENDATION = (*_ITEM, Perm.RECOMMENDATION_AGREE)
_MEETING = (
    Perm.MEETING_VIEW,
    Perm.MEETING_IN_FULL,
    Perm.MEETING_PACK,
    Perm.MEETING_MANAGE,
    Perm.CHAIR_BODY,
)
_MINUTES = (Perm.MEETING_VIEW, Perm.MEETING_MANAGE)
_REFERRAL = (*_T, Perm.REFERRAL_ACKNOWLEDGE)
_VISIT = (Perm.ITEM_VIEW, Perm.RESPOND, Perm.VISIT_MANAGE)
_BODY = tuple(p for p in Perm if p not in (Perm.ITEM_VIEW, Perm.RESPOND, Perm.PAPER_VIEW))


def _only(perm: Perm, can_rule, rows_rule):
    """A kind with one permission, which is also its view permission."""
    return (perm,), perm, can_rule, rows_rule


_SUGGESTION, _WEBHOOK = Perm.SUGGESTION_MODERATE, Perm.WEBHOOK_MANAGE
_PROTOCOL = (Perm.PROTOCOL_VIEW, Perm.PROTOCOL_MANAGE)
_DECISION = (Perm.TOPIC_CASE_FILE, Perm.TOPIC_MANAGE)

# label: (the permissions that apply, the view permission, can rule, rows rule)
_CONSULTATION = (Perm.ITEM_VIEW, Perm.TOPIC_MANAGE, Perm.RESPOND)
_CONSULTATION_RULE = (_CONSULTATION, Perm.ITEM_VIEW, _can_consultation, _rows_consultation)
_REGISTER = (Perm.STAFF_PAGES, Perm.TOPIC_MANAGE)

RULES = {
    "scrutiny.Topic": (_T, Perm.TOPIC_VIEW, _can_topic, _rows_topic),
    "scrutiny.InformationRequest": (_ITEM, Perm.ITEM_VIEW, _can_item, _rows_item),
    "scrutiny.Recommendation": (_RECOMMENDATION, Perm.ITEM_VIEW, _can_item, _rows_item),
    "scrutiny.ProviderResponse": _only(Perm.ITEM_VIEW, _can_response, _rows_response),
    "scrutiny.ResponseAttachment": _only(Perm.ITEM_VIEW, _can_attachment, _rows_attachment),
    "scrutiny.ImplementationEvidence": _only(Perm.ITEM_VIEW, _can_evidence, _rows_evidence),
    "scrutiny.Referral": (_REFERRAL, Perm.TOPIC_CASE_FILE, _can_referral, _rows_referral),
    "scrutiny.Visit": (_VISIT, Perm.ITEM_VIEW, _can_visit, _rows_visit),
    "scrutiny.AuthorisedRepresentative": _only(
        Perm.VISIT_MANAGE, _can_representative, _rows_representative
    ),
    "scrutiny.SafeguardingConcern": _only(
        Perm.SAFEGUARDING_VIEW, _can_safeguarding, _rows_safeguarding
    ),
    "scrutiny.Consultation": _CONSULTATION_RULE,
    "scrutiny.ConsultationDocument": _CONSULTATION_RULE,
    "scrutiny.CallInRequest": _CONSULTATION_RULE,
    "scrutiny.HealthBodyPlan": (_REGISTER, Perm.STAFF_PAGES, _can_register, _rows_register),
    "scrutiny.BoardMeeting": (_REGISTER, Perm.STAFF_PAGES, _can_register, _rows_register),
    "scrutiny.TopicSuggestion": _only(_SUGGESTION, _can_owned, _rows_owned),
    "scrutiny.RelevantDecision": (_DECISION, Perm.TOPIC_CASE_FILE, _can_owned, _rows_owned),
    "scrutiny.AnnualReport": (_DECISION, Perm.TOPIC_CASE_FILE, _can_owned, _rows_owned),
    "scrutiny.SuggesterContact": _only(_SUGGESTION, _can_contact, _rows_contact),
    "scrutiny.Organisation": (_BODY, None, _can_organisation, _rows_organisation),
    "scrutiny.Partnership": (_BODY, Perm.TOPIC_CASE_FILE, _can_owned, _rows_partnership),
    "protocols.Meeting": (_MEETING, Perm.MEETING_VIEW, _can_meeting, _rows_meeting),
    "protocols.AgendaItem": (_MEETING, Perm.MEETING_VIEW, _can_agenda_item, _rows_agenda_item),
    "protocols.Paper": _only(Perm.PAPER_VIEW, _can_paper, _rows_paper),
    "protocols.Minutes": (_MINUTES, Perm.MEETING_VIEW, _can_minutes, _rows_minutes),
    "protocols.Protocol": (_PROTOCOL, Perm.PROTOCOL_VIEW, _can_protocol, _rows_protocol),
    "protocols.ProtocolVersion": (_PROTOCOL, Perm.PROTOCOL_VIEW, _can_protocol, _rows_protocol),
    "api.ApiKey": _only(Perm.KEY_MANAGE, _can_of_organisation, _rows_of_organisation),
    "api.Webhook": _only(_WEBHOOK, _can_of_organisation, _rows_of_organisation),
    "api.WebhookDelivery": _only(_WEBHOOK, _can_delivery, _rows_delivery),
}


def _rule(label: str, perm: Perm | None):
    try:
        applies, view, can_rule, rows_rule = RULES[label]
    except KeyError:
        raise TypeError(f"The policy has no rules for {label}.") from None
    perm = Perm(perm) if perm is not None else view
    if perm is None or perm not in applies:
        raise ValueError(f"'{perm}' does not apply to {label}.")
    return perm, can_rule, rows_rule


# --- the two questions ------------------------------------------------------------------------


def can(actor, perm: Perm, obj=None) -> bool:
    """May `actor` do `perm` to `obj`? Without `obj`: does the actor hold `perm` anywhere?

    (A session user holds both API scopes; an API key only those it was given.)"""
    perm = Perm(perm)
    if obj is not None:
        perm, can_rule, _ = _rule(obj._meta.label, perm)
        return bool(can_rule(actor, perm, obj))
    if not _active(actor):
        return False
    if perm in API_SCOPE_PERMS and not _is_key(actor):
        return True
    return _superuser(actor) or bool(body_ids(actor, perm))


def visible(actor, queryset, perm: Perm | None = None):
    """The rows of `queryset` that `actor` may see (with `perm`: may do `perm` to)."""
    perm, _, rows_rule = _rule(queryset.model._meta.label, perm)
    return rows_rule(actor, queryset, perm)


class PolicyBackend:
    """The policy as a Django authentication backend (first in AUTHENTICATION_BACKENDS).

    It answers `user.has_perm(perm, obj)` for the policy's own permissions — a `Perm` value, or
    `"<app label>.<Perm value>"` for an object of that app — and no other backend may grant
    those (it raises PermissionDenied rather than say no). Other permissions (the admin's
    model permissions) it leaves to ModelBackend. It authenticates no one.
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        name = perm
        if "." in perm:
            if obj is None:
                return False
            app_label, _, name = perm.partition(".")
            if app_label != obj._meta.app_label:
                return False
        if name not in Perm._value2member_map_:
            return False
        if obj is not None and can(user_obj, Perm(name), obj):
            return True
        raise PermissionDenied

    @staticmethod
    def visible(user, queryset, perm=None):
        return visible(user, queryset, perm)


# --- the reads every page makes ---------------------------------------------------------------


# The roles an area administrator may give in their bodies (a health body's responders are
# invited by that body's own people, docs/health-bodies-guide.md).
ADMINISTERED_ROLES = (OFFICER, MEMBER, CHAIR, AREA_ADMIN)


def holds_role(user, organisation_id: int, role: str) -> bool:
    """Does `user` already hold `role` in the organisation?"""
    return Membership.objects.filter(user=user, organisation_id=organisation_id, role=role).exists()


def is_last_officer(membership) -> bool:
    """Is this membership the body's only support officer (so removing it orphans the body)?"""
    return (
        membership.role == OFFICER
        and not Membership.objects.filter(organisation_id=membership.organisation_id, role=OFFICER)
        .exclude(pk=membership.pk)
        .exists()
    )


def administered_bodies(actor) -> set[int]:
    """Ids of the bodies the actor administers (an `area_admin` role held there)."""
    return body_ids(actor, Perm.AREA_ADMINISTER)


def administered_partnerships(actor):
    """The partnerships the actor administers: those with a body the actor administers as a
    party (its involvement network or one of its committees)."""
    return visible(actor, Partnership.objects.all(), Perm.AREA_ADMINISTER)


def topics_visible_to(actor):
    """Topics the actor may open: own and partnership topics for staff; for responders,
    topics with a request or recommendation issued to their body."""
    return visible(actor, Topic.objects.all())


def case_files_visible_to(actor):
    """Topics whose whole case file the actor may see (staff of the topic's bodies)."""
    return visible(actor, Topic.objects.all(), Perm.TOPIC_CASE_FILE)


def requests_visible_to(actor):
    return visible(actor, InformationRequest.all_objects.all())


def recommendations_visible_to(actor):
    return visible(actor, Recommendation.all_objects.all())


def decisions_visible_to(actor, perm: Perm | None = None):
    """Relevant decisions of the actor's own involvement networks (their staff)."""
    return visible(actor, RelevantDecision.objects.all(), perm)


def consultations_visible_to(actor):
    """Consultations the actor may open: the consulted committee's staff (through the
    consultation's topic), and the proposing body's responders."""
    return visible(actor, Consultation.all_objects.all())


def referrals_visible_to(actor):
    """Referrals whose topic's case file the actor may see (both bodies' staff)."""
    return visible(actor, Referral.objects.all())


# --- who may bring people into a health body ---------------------------------------------------


def can_invite_to(actor, body: Organisation) -> bool:
    """Who may invite a person to be a responder of the health body `body`: its own responders,
    and the support officers of a topic that has asked it something (an issued request or
    recommendation) — never an officer for a body their cases have not asked."""
    if not _active(actor) or not body.is_health_body:
        return False
    if body.pk in body_ids(actor, Perm.HEALTH_BODY_ACT):
        return True
    managed = body_ids(actor, Perm.TOPIC_MANAGE)
    if not managed:
        return False
    asked = Q(recipient=body, issued_on__isnull=False) & (
        Q(topic__lead_body__in=managed)
        | Q(topic__partnership__involvement_network__in=managed)
        | Q(topic__partnership__scrutiny_committees__in=managed)
    )
    return (
        InformationRequest.all_objects.filter(asked).exists()
        or Recommendation.all_objects.filter(asked).exists()
    )


def can_manage_people_of(actor, body: Organisation) -> bool:
    """Who sees a health body's responders and may remove one: the body's own responders."""
    return _active(actor) and body.pk in body_ids(actor, Perm.HEALTH_BODY_ACT)


# The role an accepted invitation gives: a responder of that health body, nothing more.
INVITED_ROLE = Membership.Role.RESPONDER


def responder_memberships(body: Organisation):
    """The active responders of the health body `body`, by username."""
    return (
        Membership.objects.filter(organisation=body, role=INVITED_ROLE, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )


def is_responder_membership(membership: Membership) -> bool:
    return membership.role == INVITED_ROLE
