"""Who may see and do what: the one home for permissions.

`can(user, perm, obj)` answers "may this user do this to this object"; the `*_visible_to(user)`
selectors answer "which objects may this user see". FSM transitions (`permission=`), views,
templates and the API all ask here.

Roles come from memberships: support officers manage the cases of their body and of its
partnerships; committee members and chairs follow them, score and record positions; a health
body's responders see and answer only what is addressed to their body.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q


class Perm(StrEnum):
    TOPIC_VIEW = "view_topic"
    TOPIC_MANAGE = "manage_topic"
    TOPIC_PRIORITISE = "prioritise_topic"
    TOPIC_POSITION = "record_position"
    REFERRAL_ACKNOWLEDGE = "acknowledge_referral"
    RESPOND = "respond"
    ITEM_VIEW = "view_item"


OFFICER = "support_officer"
MEMBER = "committee_member"
CHAIR = "chair"
RESPONDER = "responder"
STAFF_ROLES = {OFFICER, MEMBER, CHAIR}


def roles_by_body(user) -> dict[int, set[str]]:
    """{organisation id: {roles}} for `user`, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_cf_roles_by_body", None)
    if cached is None:
        from scrutiny.models import Membership

        cached = {}
        for org_id, role in Membership.objects.filter(user=user).values_list(
            "organisation_id", "role"
        ):
            cached.setdefault(org_id, set()).add(role)
        user._cf_roles_by_body = cached
    return cached


def bodies_with(user, roles) -> set[int]:
    return {org for org, have in roles_by_body(user).items() if have & set(roles)}


def topic_party_ids(topic) -> set[int]:
    """The bodies whose topic this is: its one body, or every party of its partnership."""
    cached = getattr(topic, "_cf_party_ids", None)
    if cached is None:
        cached = topic.partnership.party_ids() if topic.partnership_id else {topic.body_id}
        topic._cf_party_ids = cached
    return cached


def _topic_of(obj):
    from scrutiny.models import Topic

    if isinstance(obj, Topic):
        return obj
    if hasattr(obj, "topic"):
        return obj.topic
    raise TypeError(f"No topic for {obj!r}")


def can(user, perm: Perm, obj) -> bool:
    """May `user` do `perm` to `obj` (a topic, request, recommendation or referral)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    from scrutiny.models import Referral

    if perm == Perm.REFERRAL_ACKNOWLEDGE:
        assert isinstance(obj, Referral)
        return obj.to_body_id in bodies_with(user, {OFFICER})

    topic = _topic_of(obj)
    parties = topic_party_ids(topic)
    if perm == Perm.TOPIC_VIEW:
        return bool(parties & bodies_with(user, STAFF_ROLES)) or (
            bool(bodies_with(user, {RESPONDER}))
            and topics_visible_to(user).filter(pk=topic.pk).exists()
        )
    if perm == Perm.TOPIC_MANAGE:
        return bool(parties & bodies_with(user, {OFFICER}))
    if perm == Perm.TOPIC_PRIORITISE:
        return bool(parties & bodies_with(user, {OFFICER, CHAIR}))
    if perm == Perm.TOPIC_POSITION:
        return bool(parties & bodies_with(user, STAFF_ROLES))
    if perm == Perm.RESPOND:
        recipient = getattr(obj, "recipient_id", None)
        return recipient in bodies_with(user, {RESPONDER}) or bool(
            parties & bodies_with(user, {OFFICER})
        )
    if perm == Perm.ITEM_VIEW:
        recipient = getattr(obj, "recipient_id", None)
        return recipient in bodies_with(user, {RESPONDER}) or bool(
            parties & bodies_with(user, STAFF_ROLES)
        )
    raise ValueError(f"Unknown permission {perm}")


def transition_permission(perm: Perm):
    """The `permission=` callable for an FSM transition."""

    def check(instance, user):
        return can(user, perm, instance)

    check.perm = perm
    return check


def _staff_topic_q(bodies) -> Q:
    return (
        Q(body__in=bodies)
        | Q(partnership__involvement_network__in=bodies)
        | Q(partnership__scrutiny_committees__in=bodies)
    )


def topics_visible_to(user):
    """Topics `user` may open: own and partnership topics for staff; for responders, topics
    with a request or recommendation issued to their body."""
    from scrutiny.models import RecommendationState, RequestState, Topic

    qs = Topic.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    staff = bodies_with(user, STAFF_ROLES)
    responder = bodies_with(user, {RESPONDER})
    q = Q(pk__in=[])
    if staff:
        q |= _staff_topic_q(staff)
    if responder:
        q |= Q(
            requests__recipient__in=responder,
            requests__state__in=[s for s in RequestState.values if s != RequestState.DRAFT],
        ) | Q(
            recommendations__recipient__in=responder,
            recommendations__state__in=[
                s for s in RecommendationState.values if s != RecommendationState.DRAFT
            ],
        )
    return Topic.objects.filter(pk__in=qs.filter(q).values("pk"))


def requests_visible_to(user):
    from scrutiny.models import InformationRequest, RequestState

    qs = InformationRequest.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    staff = bodies_with(user, STAFF_ROLES)
    responder = bodies_with(user, {RESPONDER})
    q = Q(pk__in=[])
    if staff:
        q |= Q(topic__in=staff_topic_ids(staff))
    if responder:
        q |= Q(recipient__in=responder) & ~Q(state=RequestState.DRAFT)
    return qs.filter(q)


def recommendations_visible_to(user):
    from scrutiny.models import Recommendation, RecommendationState

    qs = Recommendation.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    staff = bodies_with(user, STAFF_ROLES)
    responder = bodies_with(user, {RESPONDER})
    q = Q(pk__in=[])
    if staff:
        q |= Q(topic__in=staff_topic_ids(staff))
    if responder:
        q |= Q(recipient__in=responder) & ~Q(state=RecommendationState.DRAFT)
    return qs.filter(q)


def staff_topic_ids(bodies):
    from scrutiny.models import Topic

    return Topic.objects.filter(_staff_topic_q(bodies)).values("pk")
