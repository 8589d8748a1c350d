"""Small services the staff pages need on top of `services` (which they only call)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from scrutiny.casework import services
from scrutiny.casework.models import InformationRequest, Organisation, Recommendation, Topic
from workflows.errors import InvalidInput


def _recipients(recipients: Iterable[Organisation]) -> list[Organisation]:
    recipients = list(recipients)
    if not recipients:
        raise InvalidInput(
            "Choose at least one health body.",
            field_errors={"recipients": ["Choose at least one health body."]},
        )
    return recipients


def information_requests_draft(
    *, topic: Topic, by, recipients: Iterable[Organisation], question: str
) -> list[InformationRequest]:
    """Draft the same request to each health body, all or none."""
    with transaction.atomic():
        return [
            services.information_request_draft(
                topic=topic, by=by, recipient=recipient, question=question
            )
            for recipient in _recipients(recipients)
        ]


def recommendations_draft(
    *, topic: Topic, by, recipients: Iterable[Organisation], text: str, rationale: str = ""
) -> list[Recommendation]:
    """Draft the same recommendation to each health body, all or none."""
    with transaction.atomic():
        return [
            services.recommendation_draft(
                topic=topic, by=by, recipient=recipient, text=text, rationale=rationale
            )
            for recipient in _recipients(recipients)
        ]
