"""What the joint working pages share."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from protocols import selectors
from protocols.models import (
    AgendaItem,
    Meeting,
)
from protocols.permissions import meeting_body_ids, officer_body_ids
from scrutiny.casework.models import Organisation, Partnership, Topic
from scrutiny.web.errors import page_subject
from scrutiny.web.joint import forms

# --- Helpers --------------------------------------------------------------------------------


def _organisers(user):
    """Bodies and partnerships whose meetings `user` manages (support officer)."""
    if user.is_superuser:
        bodies = Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY)
        partnerships = Partnership.objects.all()
    else:
        ids = officer_body_ids(user)
        bodies = Organisation.objects.filter(pk__in=ids).exclude(kind=Organisation.Kind.HEALTH_BODY)
        partnerships = Partnership.objects.filter(
            Q(involvement_network__in=ids) | Q(scrutiny_committees__in=ids)
        ).distinct()
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
    ids = meeting_body_ids(meeting)
    return Topic.objects.filter(
        Q(body__in=ids)
        | Q(partnership__involvement_network__in=ids)
        | Q(partnership__scrutiny_committees__in=ids)
    ).distinct()
