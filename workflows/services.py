"""The one transition service, and the services that keep clocks right.

Every lifecycle move in the product goes through `transition_apply`: lock the row, check
permission (403), check the move is available now (409), apply the pure transition method,
save what changed, append its typed audit event (`workflows.audit.log_event`; the event is also
the webhook outbox record), and after commit refresh the public pages and run the caller's effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django_fsm import TransitionNotAllowed

from workflows.audit import event_type_for_transition, log_event
from workflows.cache import public_cache_bump
from workflows.clocks import calendar_for, compute_due
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import ClockedModel, DeadlineRule, DueDateChange

log = logging.getLogger(__name__)


def condition(message: str):
    """Mark a transition condition with the message shown when it is not met."""

    def wrap(fn):
        fn.message = message
        return fn

    return wrap


def _meta(model_cls, name):
    method = getattr(model_cls, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise InvalidInput(f"'{name}' is not an action on {model_cls._meta.verbose_name}.")
    return meta


def transition_allowed_for(instance, name: str, user) -> bool:
    """May `user` apply `name` to `instance` (permission only, whatever the state)?"""
    meta = _meta(type(instance), name)
    return any(t.has_perm(instance, user) for t in meta.transitions.values())


def transition_available(instance, name: str, user=None) -> bool:
    """Can `name` be applied now (state, conditions and, with `user`, permission)?"""
    meta = _meta(type(instance), name)
    state = meta.field.get_state(instance)
    if not meta.has_transition(state) or not meta.conditions_met(instance, state):
        return False
    return user is None or meta.has_transition_perm(instance, state, user)


def available_transitions(instance, user) -> list[str]:
    """Names of the transitions `user` may apply to `instance` now, in declaration order."""
    field_name = getattr(type(instance), "FSM_FIELD", "state")
    getter = getattr(instance, f"get_available_user_{field_name}_transitions")
    seen, names = set(), []
    for t in getter(user):
        if t.name not in seen:
            seen.add(t.name)
            names.append(t.name)
    return names


def _snapshot(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def transition_apply(
    *,
    instance,
    name: str,
    by,
    note: str = "",
    expected_state: str | None = None,
    after_commit: Iterable[Callable] = (),
    **kwargs,
):
    """Apply transition `name` to `instance` as user `by`; return the saved, locked instance.

    `expected_state`: the state the user saw; if the row has moved since, a Conflict says so.
    Raises Forbidden (403), Conflict (409) or InvalidInput (400).
    """
    model = type(instance)
    meta = _meta(model, name)
    field_name = meta.field.name
    event_type = event_type_for_transition(model, name)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        state = getattr(locked, field_name)
        if not transition_allowed_for(locked, name, by):
            raise Forbidden(
                f"You may not {name.replace('_', ' ')} this {model._meta.verbose_name}."
            )
        if expected_state is not None and state != expected_state:
            raise Conflict(
                f"This {model._meta.verbose_name} has just been moved to "
                f"'{locked.get_state_display()}' by someone else.",
                current_state=state,
            )
        if not meta.has_transition(state):
            raise Conflict(
                f"Cannot {name.replace('_', ' ')}: this {model._meta.verbose_name} is "
                f"'{locked.get_state_display()}'.",
                current_state=state,
            )
        unmet = [c for c in meta.get_transition(state).conditions if not c(locked)]
        if unmet:
            raise Conflict(
                "; ".join(getattr(c, "message", c.__name__) for c in unmet),
                current_state=state,
            )
        before = _snapshot(locked)
        try:
            getattr(locked, name)(by=by, **kwargs)
        except TransitionNotAllowed as exc:  # pragma: no cover - guarded above
            raise Conflict(str(exc), current_state=state) from exc
        after = _snapshot(locked)
        changed = [
            f.name for f in model._meta.concrete_fields if before[f.attname] != after[f.attname]
        ]
        if "updated_at" in {f.name for f in model._meta.concrete_fields}:
            changed.append("updated_at")
        locked.save(update_fields=changed)
        log_event(
            locked,
            event_type,
            by=by,
            note=note,
            source_state=state,
            target_state=getattr(locked, field_name),
        )
        # Any lifecycle move may change what a public page shows.
        transaction.on_commit(public_cache_bump)
        for effect in list(after_commit):
            transaction.on_commit(effect)
    return locked


def clocked_models() -> list[type[ClockedModel]]:
    return [m for m in apps.get_models() if issubclass(m, ClockedModel)]


def clocks_recompute(*, reason: str, rule: DeadlineRule | None = None) -> list[DueDateChange]:
    """Recompute every open due date (or those of `rule`); record each one that moved."""
    moved = []
    calendars = {}
    with transaction.atomic():
        for model in clocked_models():
            qs = model.open_clocks().select_for_update().select_related("due_rule")
            if rule is not None:
                qs = qs.filter(due_rule=rule)
            ctype = ContentType.objects.get_for_model(model)
            for obj in qs:
                region = obj.due_rule.effective_region
                if region not in calendars:
                    calendars[region] = calendar_for(region)
                cal = calendars[region]
                due = compute_due(obj.due_rule, obj.clock_started_on, calendar=cal)
                if due.date == obj.due_on and due.explanation == obj.due_explanation:
                    continue
                change = DueDateChange.objects.create(
                    content_type=ctype,
                    object_id=obj.pk,
                    old_due_on=obj.due_on,
                    new_due_on=due.date,
                    old_explanation=obj.due_explanation,
                    new_explanation=due.explanation,
                    reason=reason,
                )
                obj.due_on, obj.due_explanation = due.date, due.explanation
                obj.save(update_fields=["due_on", "due_explanation"])
                moved.append(change)
    log.info("recomputed due dates (%s): %d moved", reason, len(moved))
    return moved


def deadline_rule_save(*, rule: DeadlineRule, by=None) -> list[DueDateChange]:
    """Save a changed rule and recompute the open due dates that use it."""
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        return clocks_recompute(reason=f"deadline rule '{rule.slug}' changed", rule=rule)


def holiday_override_save(*, override, by=None) -> list[DueDateChange]:
    """Record a bank holiday added or removed, and recompute open due dates."""
    with transaction.atomic():
        override.full_clean()
        override.save()
        verb = "added" if override.action == override.Action.ADD else "removed"
        return clocks_recompute(
            reason=f"bank holiday {verb}: {override.date:%d %b %Y} {override.name}"
        )


def holiday_override_delete(*, override, by=None) -> list[DueDateChange]:
    with transaction.atomic():
        desc = f"{override.date:%d %b %Y} {override.name}"
        override.delete()
        return clocks_recompute(reason=f"holiday override withdrawn: {desc}")
