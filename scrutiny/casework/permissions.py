"""Who may see and do what: the one home for permissions.

`can(user, perm, obj)` answers "may this user do this to this object"; the `*_visible_to(user)`
selectors answer "which objects may this user see". FSM transitions (`permission=`), views,
templates and the API all ask here.

Topics are checked against django-guardian object permissions held in the direct foreign-key
tables below (`TopicGroupObjectPermission`, `TopicUserObjectPermission`). The grants are derived
from memberships and partnerships by `casework.grants`: each organisation's roles are groups,
and every topic grants its party bodies' groups the permissions of their role. Requests and
recommendations are answered from their topic's grants plus, for a health body's responders,
the recipient of the request (docs/decisions/0004-object-permissions.md says why).

The tables live here rather than in `casework.models` so that the permission vocabulary, the
tables that hold it and the questions asked of them stay in one module; they refer to the
casework models by name, so this module still imports nothing from `casework.models` at load.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Perm(StrEnum):
    TOPIC_VIEW = "view_topic"  # open the topic page (responders: its title and summary only)
    TOPIC_CASE_FILE = "view_case_file"  # the whole case file: timeline, drafts, positions
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

# What each role of a party body holds on that body's topics (granted by scrutiny.casework.grants).
ROLE_TOPIC_PERMS: dict[str, tuple[Perm, ...]] = {
    OFFICER: (
        Perm.TOPIC_VIEW,
        Perm.TOPIC_CASE_FILE,
        Perm.TOPIC_MANAGE,
        Perm.TOPIC_PRIORITISE,
        Perm.TOPIC_POSITION,
    ),
    CHAIR: (Perm.TOPIC_VIEW, Perm.TOPIC_CASE_FILE, Perm.TOPIC_PRIORITISE, Perm.TOPIC_POSITION),
    MEMBER: (Perm.TOPIC_VIEW, Perm.TOPIC_CASE_FILE, Perm.TOPIC_POSITION),
    # A health body's responders: the topic's title and summary once something is issued to them.
    RESPONDER: (Perm.TOPIC_VIEW,),
}
# Codenames stored as guardian permissions on Topic (the rest are answered from memberships).
TOPIC_CODENAMES: dict[str, str] = {
    Perm.TOPIC_VIEW: "Can view topic",
    Perm.TOPIC_CASE_FILE: "Can see the topic's whole case file",
    Perm.TOPIC_MANAGE: "Can manage the topic's case",
    Perm.TOPIC_PRIORITISE: "Can score and prioritise the topic",
    Perm.TOPIC_POSITION: "Can record a body's position on the topic",
}


# --- guardian's direct foreign-key tables for Topic ------------------------------------------


class TopicUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(
        "scrutiny.Topic", on_delete=models.CASCADE, related_name="user_permissions"
    )

    class Meta(UserObjectPermissionBase.Meta):
        app_label = "scrutiny"
        abstract = False


class TopicGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        "scrutiny.Topic", on_delete=models.CASCADE, related_name="group_permissions"
    )

    class Meta(GroupObjectPermissionBase.Meta):
        app_label = "scrutiny"
        abstract = False
        indexes = [models.Index(fields=["group", "permission"], name="topic_gperm_group_perm")]


# --- roles from memberships ----------------------------------------------------------------


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def roles_by_body(user) -> dict[int, set[str]]:
    """{organisation id: {roles}} for `user`, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_cf_roles_by_body", None)
    if cached is None:
        from scrutiny.casework.models import Membership

        cached = {}
        for org_id, role in Membership.objects.filter(user=user).values_list(
            "organisation_id", "role"
        ):
            cached.setdefault(org_id, set()).add(role)
        user._cf_roles_by_body = cached
    return cached


def bodies_with(user, roles) -> set[int]:
    return {org for org, have in roles_by_body(user).items() if have & set(roles)}


def is_staff_member(user) -> bool:
    """An officer, member or chair of any involvement network or scrutiny committee."""
    return _active(user) and (user.is_superuser or bool(bodies_with(user, STAFF_ROLES)))


def is_officer(user) -> bool:
    return _active(user) and (user.is_superuser or bool(bodies_with(user, {OFFICER})))


def topic_party_ids(topic) -> set[int]:
    """The bodies whose topic this is: its one body, or every party of its partnership."""
    cached = getattr(topic, "_cf_party_ids", None)
    if cached is None:
        cached = topic.partnership.party_ids() if topic.partnership_id else {topic.body_id}
        topic._cf_party_ids = cached
    return cached


def _topic_of(obj):
    from scrutiny.casework.models import Topic

    if isinstance(obj, Topic):
        return obj
    if hasattr(obj, "topic"):
        return obj.topic
    raise TypeError(f"No topic for {obj!r}")


# --- guardian lookups, cached per user ----------------------------------------------------


def _perm_cache(user) -> dict[int, set[str]]:
    """{topic id: {codenames}} cached on `user`; dropped whenever the roles cache is dropped
    (scrutiny.casework.services.membership_add does that), so a new membership is seen at once."""
    stamp = roles_by_body(user)
    cache = getattr(user, "_cf_topic_perms", None)
    if cache is None or cache[0] is not stamp:
        cache = (stamp, {})
        user._cf_topic_perms = cache
    return cache[1]


def _granted_rows(user, topic_ids):
    group_rows = TopicGroupObjectPermission.objects.filter(
        group__user=user, content_object_id__in=topic_ids
    ).values_list("content_object_id", "permission__codename")
    user_rows = TopicUserObjectPermission.objects.filter(
        user=user, content_object_id__in=topic_ids
    ).values_list("content_object_id", "permission__codename")
    return group_rows.union(user_rows, all=True)


def prefetch_topic_perms(user, topics) -> None:
    """Load `user`'s permissions on every topic in `topics` with one query (for lists)."""
    if not _active(user) or user.is_superuser:
        return
    cache = _perm_cache(user)
    ids = [t.pk for t in topics if t.pk not in cache]
    if not ids:
        return
    for topic_id in ids:
        cache[topic_id] = set()
    for topic_id, codename in _granted_rows(user, ids):
        cache[topic_id].add(codename)


def topic_perms(user, topic) -> set[str]:
    """The codenames `user` holds on `topic` (every one for a superuser)."""
    if not _active(user):
        return set()
    if user.is_superuser:
        return set(TOPIC_CODENAMES)
    cache = _perm_cache(user)
    if topic.pk not in cache:
        prefetch_topic_perms(user, [topic])
    return cache[topic.pk]


def forget_topic_perms(user) -> None:
    """Drop the cached answers (after a grant changed within the same request)."""
    for attr in ("_cf_topic_perms", "_cf_roles_by_body"):
        if hasattr(user, attr):
            delattr(user, attr)


# --- the two questions --------------------------------------------------------------------


def can(user, perm: Perm, obj) -> bool:
    """May `user` do `perm` to `obj` (a topic, request, recommendation or referral)?"""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    from scrutiny.casework.models import Referral

    if perm == Perm.REFERRAL_ACKNOWLEDGE:
        assert isinstance(obj, Referral)
        return obj.to_body_id in bodies_with(user, {OFFICER})

    topic = _topic_of(obj)
    if perm in TOPIC_CODENAMES:
        return perm.value in topic_perms(user, topic)
    recipient = getattr(obj, "recipient_id", None)
    issued = getattr(obj, "issued_on", None) is not None
    if perm == Perm.RESPOND:
        return (issued and recipient in bodies_with(user, {RESPONDER})) or (
            Perm.TOPIC_MANAGE in topic_perms(user, topic)
        )
    if perm == Perm.ITEM_VIEW:
        return (issued and recipient in bodies_with(user, {RESPONDER})) or (
            Perm.TOPIC_CASE_FILE in topic_perms(user, topic)
        )
    raise ValueError(f"Unknown permission {perm}")


def transition_permission(perm: Perm):
    """The `permission=` callable for an FSM transition."""

    def check(instance, user):
        return can(user, perm, instance)

    check.perm = perm
    return check


def topics_with(user, perm: Perm):
    from scrutiny.casework.models import Topic

    qs = Topic.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(
        Q(pk__in=_subquery(user, "group", perm)) | Q(pk__in=_subquery(user, "user", perm))
    )


def _subquery(user, kind, perm):
    if kind == "group":
        return TopicGroupObjectPermission.objects.filter(
            group__user=user, permission__codename=perm.value
        ).values("content_object_id")
    return TopicUserObjectPermission.objects.filter(
        user=user, permission__codename=perm.value
    ).values("content_object_id")


def topics_visible_to(user):
    """Topics `user` may open: own and partnership topics for staff; for responders, topics
    with a request or recommendation issued to their body."""
    return topics_with(user, Perm.TOPIC_VIEW)


def case_files_visible_to(user):
    """Topics whose whole case file `user` may see (staff of the topic's bodies)."""
    return topics_with(user, Perm.TOPIC_CASE_FILE)


def _items_visible_to(user, model):
    qs = model.objects.all()
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    q = Q(topic__in=case_files_visible_to(user).values("pk"))
    responder = bodies_with(user, {RESPONDER})
    if responder:
        q |= Q(recipient__in=responder, issued_on__isnull=False)
    return qs.filter(q)


def requests_visible_to(user):
    from scrutiny.casework.models import InformationRequest

    return _items_visible_to(user, InformationRequest)


def recommendations_visible_to(user):
    from scrutiny.casework.models import Recommendation

    return _items_visible_to(user, Recommendation)


def referrals_visible_to(user):
    """Referrals whose topic's case file `user` may see (both the referring and the receiving
    body's staff)."""
    from scrutiny.casework.models import Referral

    if not _active(user):
        return Referral.objects.none()
    if user.is_superuser:
        return Referral.objects.all()
    return Referral.objects.filter(topic__in=case_files_visible_to(user).values("pk"))


def staff_topic_ids(bodies):
    """Ids of the topics of `bodies` and of their partnerships (by membership, for grants)."""
    from scrutiny.casework.models import Topic

    return Topic.objects.filter(_staff_topic_q(bodies)).values("pk")


def _staff_topic_q(bodies) -> Q:
    return (
        Q(body__in=bodies)
        | Q(partnership__involvement_network__in=bodies)
        | Q(partnership__scrutiny_committees__in=bodies)
    )
