"""Who may see and do what in joint working, built on the roles of `scrutiny.casework.permissions`.

- A meeting's *bodies* are its one body, or every party of its partnership.
- Support officers of those bodies manage the meeting (agenda, papers, minutes, publication).
- Members of those bodies — officers, committee members and chairs — see the whole agenda,
  exempt items and unpublished agendas included. Everyone else sees only published agendas,
  without exempt items.
- A protocol's parties are its partnership's parties; their officers draft and sign versions.
"""

from __future__ import annotations

from scrutiny.casework.permissions import CHAIR, OFFICER, STAFF_ROLES, bodies_with


def _party_ids(partnership) -> set[int]:
    cached = getattr(partnership, "_cf_party_ids", None)
    if cached is None:
        cached = partnership.party_ids()
        partnership._cf_party_ids = cached
    return cached


def meeting_body_ids(meeting) -> set[int]:
    if meeting.partnership_id:
        return _party_ids(meeting.partnership)
    return {meeting.body_id}


def protocol_party_ids(obj) -> set[int]:
    """Parties of a Protocol or ProtocolVersion."""
    protocol = getattr(obj, "protocol", obj)
    return _party_ids(protocol.partnership)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_manage(user, obj) -> bool:
    """Support officer of the meeting's bodies, or of a party to the protocol."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    from protocols.models import Meeting

    ids = meeting_body_ids(obj) if isinstance(obj, Meeting) else protocol_party_ids(obj)
    return bool(ids & bodies_with(user, {OFFICER}))


def manage_permission(instance, user) -> bool:
    """The `permission=` callable of the protocols' transitions."""
    return can_manage(user, instance)


def is_meeting_member(user, meeting) -> bool:
    """Sees exempt items and unpublished agendas: staff of the meeting's bodies."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return bool(meeting_body_ids(meeting) & bodies_with(user, STAFF_ROLES))


def chairs_of(meeting):
    """Users who chair one of the meeting's bodies (they give a reason of urgency)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__organisation__in=meeting_body_ids(meeting), memberships__role=CHAIR
        )
        .distinct()
        .order_by("username")
    )


def staff_body_ids(user) -> set[int]:
    if not _active(user):
        return set()
    return bodies_with(user, STAFF_ROLES)


def officer_body_ids(user) -> set[int]:
    if not _active(user):
        return set()
    return bodies_with(user, {OFFICER})
