"""Helpers the joint-working services share."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from workflows.models import TransitionLog


def _log_event(instance, *, name: str, by, note: str = "", source: str = "", target: str = ""):
    """A log row for an event that is not a state change (created, published, signed…)."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        transition=name,
        source_state=source or getattr(instance, "state", ""),
        target_state=target or getattr(instance, "state", ""),
        actor=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )


def _clean(value) -> str:
    return (value or "").strip()
