"""Granting and revoking object permissions (django-guardian), derived from the casework.

Memberships and partnerships are the source of truth; the guardian rows are an index built from
them so that "which topics may this user see" is one indexed subquery:

- every (organisation, role) is an auth group, `cf-org-<id>-<role>`; a user is in the groups of
  their memberships (`membership_sync`);
- every topic grants its party bodies' role groups the permissions of `ROLE_TOPIC_PERMS`
  (`scrutiny.casework.roles`), and the responders' group of each health body with something
  issued on the topic (ever issued: `issued_on` set) `view_topic` (`topic_grant`,
  `responder_grant`);
- `sync_all()` rebuilds every row and group membership (the `sync_permissions` command).

The services that change those facts call these (topic_raise, the issue services, membership and
partnership services); the admin and the test factories go through the same services. Nothing
else grants; views never do.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from scrutiny.casework.models import (
    InformationRequest,
    Membership,
    Partnership,
    Recommendation,
    Topic,
    TopicGroupObjectPermission,
)
from scrutiny.casework.policy import forget_topic_perms
from scrutiny.casework.roles import (
    CHAIR,
    MEMBER,
    OFFICER,
    RESPONDER,
    ROLE_TOPIC_PERMS,
    TOPIC_CODENAMES,
    Perm,
)

log = logging.getLogger(__name__)

GROUP_PREFIX = "cf-org-"
STAFF_ROLE_ORDER = (OFFICER, CHAIR, MEMBER)


def group_name(organisation_id: int, role: str) -> str:
    return f"{GROUP_PREFIX}{organisation_id}-{role}"


def topic_permissions() -> dict[str, Permission]:
    """The guardian permissions on Topic by codename, created when missing (a database flushed
    by a test run loses the ones that are not Django's defaults)."""
    ctype, _ = ContentType.objects.get_or_create(app_label="scrutiny", model="topic")
    found = {
        p.codename: p
        for p in Permission.objects.filter(content_type=ctype, codename__in=TOPIC_CODENAMES)
    }
    for codename, name in TOPIC_CODENAMES.items():
        if codename not in found:
            found[codename], _ = Permission.objects.get_or_create(
                content_type=ctype, codename=codename, defaults={"name": name}
            )
    return found


def role_groups(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Group]:
    """The auth group of each (organisation id, role), created when missing."""
    keys = set(keys)
    names = {group_name(o, r): (o, r) for o, r in keys}
    found = {names[g.name]: g for g in Group.objects.filter(name__in=names)}
    missing = [Group(name=n) for n, key in names.items() if key not in found]
    if missing:
        Group.objects.bulk_create(missing, ignore_conflicts=True)
        found = {names[g.name]: g for g in Group.objects.filter(name__in=names)}
    return found


# --- memberships -----------------------------------------------------------------------------


def membership_sync(user) -> None:
    """Put `user` in exactly the role groups of their memberships."""
    keys = set(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
    wanted = {g.pk for g in role_groups(keys).values()}
    current = set(user.groups.filter(name__startswith=GROUP_PREFIX).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    forget_topic_perms(user)


# --- topics ----------------------------------------------------------------------------------


def topic_grant_rows(party_ids, responder_body_ids, groups, perms):
    """The (group id, permission id) rows one topic calls for: every role group of each party
    body its `ROLE_TOPIC_PERMS`, and the responders' group of each health body with something
    issued on it `view_topic`. `groups` maps (organisation id, role) to a group (or its id),
    `perms` a codename to a permission (or its id). The one rule: `_rebuild` and the
    national-scale loader (`scrutiny.demo.scale`) both use it."""
    rows = set()
    for org_id in party_ids:
        for role in STAFF_ROLE_ORDER:
            group = _pk(groups[(org_id, role)])
            for perm in ROLE_TOPIC_PERMS[role]:
                rows.add((group, _pk(perms[perm.value])))
    view = _pk(perms[Perm.TOPIC_VIEW.value])
    for org_id in responder_body_ids:
        rows.add((_pk(groups[(org_id, RESPONDER)]), view))
    return rows


def _pk(obj):
    return obj if isinstance(obj, int) else obj.pk


def _desired_rows(topics, parties_of, responders_of, groups, perms):
    """{(group id, permission id, topic id)} that the casework calls for."""
    rows = set()
    for topic_id, partnership_id, body_id in topics:
        parties = parties_of.get(partnership_id, set()) if partnership_id else {body_id}
        for group_id, perm_id in topic_grant_rows(
            parties, responders_of.get(topic_id, ()), groups, perms
        ):
            rows.add((group_id, perm_id, topic_id))
    return rows


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
        qs = model.all_objects.issued()
        if topic_ids is not None:
            qs = qs.filter(topic_id__in=topic_ids)
        for topic_id, org_id in qs.values_list("topic_id", "recipient_id").distinct():
            found[topic_id].add(org_id)
    return found


def _rebuild(topic_qs, *, all_topics: bool = False) -> tuple[int, int]:
    """Make the role-group rows on the topics of `topic_qs` exactly what the casework calls for.
    Rows for other groups (granted by an administrator) are left alone. Returns (added, removed).
    """
    topics = list(topic_qs.values_list("pk", "partnership_id", "body_id"))
    if not topics:
        return 0, 0
    topic_ids = [t[0] for t in topics]
    parties_of = _partnership_parties({t[1] for t in topics if t[1]})
    responders_of = _issued_recipients(None if all_topics else topic_ids)
    keys = set()
    for _pk, partnership_id, body_id in topics:
        for org_id in parties_of.get(partnership_id, set()) if partnership_id else {body_id}:
            keys.update((org_id, role) for role in STAFF_ROLE_ORDER)
    for orgs in responders_of.values():
        keys.update((org_id, RESPONDER) for org_id in orgs)
    groups = role_groups(keys)
    perms = topic_permissions()
    wanted = _desired_rows(topics, parties_of, responders_of, groups, perms)

    existing_qs = TopicGroupObjectPermission.objects.filter(group__name__startswith=GROUP_PREFIX)
    if not all_topics:
        existing_qs = existing_qs.filter(content_object_id__in=topic_ids)
    existing = {
        (g, p, t): pk
        for pk, g, p, t in existing_qs.values_list(
            "pk", "group_id", "permission_id", "content_object_id"
        )
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        TopicGroupObjectPermission.objects.filter(pk__in=stale).delete()
    new = [
        TopicGroupObjectPermission(group_id=g, permission_id=p, content_object_id=t)
        for g, p, t in wanted - existing.keys()
    ]
    TopicGroupObjectPermission.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new), len(stale)


def topic_grant(topic) -> None:
    """Grant (and revoke) the role groups' permissions on one topic."""
    with transaction.atomic():
        _rebuild(Topic.objects.filter(pk=topic.pk))


def responder_grant(*, topic_id: int, body_id: int) -> None:
    """Something was issued to health body `body_id` on the topic: its responders may now see the
    topic's title and summary."""
    group = role_groups([(body_id, RESPONDER)])[(body_id, RESPONDER)]
    perm = topic_permissions()[Perm.TOPIC_VIEW.value]
    TopicGroupObjectPermission.objects.get_or_create(
        group=group, permission=perm, content_object_id=topic_id
    )


def partnership_regrant(partnership) -> None:
    """The partnership's parties changed: rebuild the grants on every topic it shares."""
    with transaction.atomic():
        _rebuild(partnership.topics.all())


# --- everything ------------------------------------------------------------------------------


def sync_all() -> dict[str, int]:
    """Rebuild every role group membership and every topic grant from the casework."""
    with transaction.atomic():
        by_user: dict[int, set[tuple[int, str]]] = defaultdict(set)
        for user_id, org_id, role in Membership.objects.values_list(
            "user_id", "organisation_id", "role"
        ):
            by_user[user_id].add((org_id, role))
        groups = role_groups(k for keys in by_user.values() for k in keys)
        role_group_ids = set(
            Group.objects.filter(name__startswith=GROUP_PREFIX).values_list("pk", flat=True)
        )
        through = get_user_model().groups.through
        current = defaultdict(set)
        for user_id, group_id in through.objects.filter(group_id__in=role_group_ids).values_list(
            "user_id", "group_id"
        ):
            current[user_id].add(group_id)
        wanted = {u: {groups[k].pk for k in keys} for u, keys in by_user.items()}
        add, remove = [], []
        for user_id in current.keys() | wanted.keys():
            have, want = current.get(user_id, set()), wanted.get(user_id, set())
            add += [through(user_id=user_id, group_id=g) for g in want - have]
            remove += [(user_id, g) for g in have - want]
        through.objects.bulk_create(add, ignore_conflicts=True, batch_size=500)
        for user_id, group_id in remove:
            through.objects.filter(user_id=user_id, group_id=group_id).delete()
        added, removed = _rebuild(Topic.objects.all(), all_topics=True)
    summary = {
        "memberships_added": len(add),
        "memberships_removed": len(remove),
        "grants_added": added,
        "grants_removed": removed,
    }
    log.info("permissions synchronised: %s", summary)
    return summary
