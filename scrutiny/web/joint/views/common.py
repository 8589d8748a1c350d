"""What the joint working pages share."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from protocols import selectors
from protocols.models import (
    AgendaItem,
    Meeting,
)
from scrutiny.casework.models import Organisation, Partnership, Topic
from scrutiny.casework.policy import owned_by, owner_ids, visible
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import page_subject
from scrutiny.web.joint import forms

# --- Helpers --------------------------------------------------------------------------------


def _organisers(user):
    """Bodies and partnerships whose meetings `user` manages (support officer)."""
    bodies = visible(
        user,
        Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY),
        Perm.MEETING_MANAGE,
    )
    partnerships = visible(user, Partnership.objects.all(), Perm.MEETING_MANAGE)
    return forms.organiser_choices(bodies.order_by("name"), partnerships.order_by("name"))


def _managed_meeting(request, pk) -> Meeting:
    meeting = get_object_or_404(
        selectors.meetings_managed_by(request.user).select_related("body", "partnership"), pk=pk
    )
    return page_subject(request, meeting)


def _managed_item(request, pk, item_pk) -> tuple[Meeting, AgendaItem]:
    meeting = _managed_meeting(request, pk)
    return meeting, get_object_or_404(meeting.items.select_related("topic"), pk=item_pk)


def _meeting_topics(meeting):
    return owned_by(Topic.objects.all(), owner_ids(meeting))
