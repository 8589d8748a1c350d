"""An area administrator's settings of their bodies and partnerships (issue 16).

Each change asks the policy, runs in one transaction and writes one audit event whose `data`
holds each changed field's old and new value; nothing is written when nothing changed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from scrutiny.casework.models import Organisation, Partnership, PrioritisationFramework
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden, InvalidInput

BODY_FIELDS = ("label", "description", "email")
PARTNERSHIP_FIELDS = ("programme_capacity", "description")


def _apply(instance, fields, changes) -> dict:
    unknown = set(changes) - set(fields)
    if unknown:
        raise InvalidInput(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = {}
    for field, value in changes.items():
        old = getattr(instance, field)
        if old != value:
            changed[field] = {"old": old, "new": value}
            setattr(instance, field, value)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput("Check the settings.", field_errors=exc.message_dict) from exc
    return changed


def body_settings_change(by, organisation: Organisation, **changes) -> dict:
    """Change a body's label, description or e-mail; returns what changed."""
    if not can(by, Perm.AREA_ADMINISTER, organisation):
        raise Forbidden("Only the body's administrators change its settings.")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = _apply(organisation, BODY_FIELDS, changes)
        if changed:
            organisation.save(update_fields=list(changed))
            log_event(organisation, EventType.BODY_SETTINGS_CHANGED, by=by, data=changed)
    return changed


def partnership_settings_change(by, partnership: Partnership, **changes) -> dict:
    """Change a partnership's capacity, description or prioritisation threshold.

    A framework shared with another partnership (or the default one every single body uses) is
    never changed: the partnership is given its own copy with the new threshold."""
    if not can(by, Perm.AREA_ADMINISTER, partnership):
        raise Forbidden("Only the partnership's administrators change its settings.")
    threshold = changes.pop("threshold", None)
    with transaction.atomic():
        partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
        changed = _apply(partnership, PARTNERSHIP_FIELDS, changes)
        framework = partnership.framework
        if threshold is not None and threshold != framework.threshold:
            if threshold < 0 or threshold > framework.max_total:
                raise InvalidInput(
                    f"Enter a threshold from 0 to {framework.max_total}.",
                    field_errors={
                        "threshold": [f"Enter a number from 0 to {framework.max_total}."]
                    },
                )
            changed["threshold"] = {"old": framework.threshold, "new": threshold}
            shared = (
                framework.slug == PrioritisationFramework.DEFAULT_SLUG
                or framework.partnerships.exclude(pk=partnership.pk).exists()
            )
            if shared:
                copy = PrioritisationFramework.objects.create(
                    name=f"{framework.name} ({partnership.name})"[:100],
                    slug=f"{framework.slug[:40]}-p{partnership.pk}"[:60],
                    criteria=framework.criteria,
                    scale_max=framework.scale_max,
                    threshold=threshold,
                )
                changed["framework"] = {"old": framework.slug, "new": copy.slug}
                partnership.framework = copy
            else:
                framework.threshold = threshold
                framework.save(update_fields=["threshold"])
        if changed:
            partnership.save()
            log_event(partnership, EventType.PARTNERSHIP_SETTINGS_CHANGED, by=by, data=changed)
    return changed
