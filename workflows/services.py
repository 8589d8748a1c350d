"""The one transition service, and the services that keep clocks right.

Every lifecycle move in the product goes through `transition_apply`: lock the row, check
permission (403), check the move is available now (409), apply the pure transition method,
save what changed, append its typed audit event (`workflows.audit.log_event`; the event is also
the webhook outbox record), and after commit refresh the public pages and run the caller's effects.
A model may have more than one lifecycle field (a topic's `state` and its `publication`); each
transition names the field it moves, and the event records that field's source and target.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django_fsm import FSMFieldMixin, TransitionNotAllowed

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


def fsm_fields(model) -> list:
    """The lifecycle (FSM) fields of `model`, in declaration order."""
    return [f for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin)]


def available_transitions(instance, user, *, field: str | None = None) -> list[str]:
    """Names of the transitions `user` may apply to `instance` now, in declaration order:
    those of every lifecycle field of the model, or only of `field` (a model with two, such as
    a topic's `state` and its `publication`, is asked one at a time by a page that shows one)."""
    fields = [f for f in fsm_fields(type(instance)) if field is None or f.name == field]
    if not fields:
        raise ValueError(f"{type(instance).__name__} has no lifecycle field {field!r}.")
    seen, names = set(), []
    for f in fields:
        for t in getattr(instance, f"get_available_user_{f.name}_transitions")(user):
            if t.name not in seen:
                seen.add(t.name)
                names.append(t.name)
    return names


def _display(field, value) -> str:
    return str(dict(field.flatchoices).get(value, value))


def _forbidden(meta, name: str, model) -> Forbidden:
    """The transition's own words (`custom={"forbidden": ...}`), or a generic sentence."""
    for t in meta.transitions.values():
        if t.custom.get("forbidden"):
            return Forbidden(t.custom["forbidden"])
    return Forbidden(f"You may not {name.replace('_', ' ')} this {model._meta.verbose_name}.")


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
    set_fields: Mapping[str, object] | None = None,
    **kwargs,
):
    """Apply transition `name` to `instance` as user `by`; return the saved, locked instance.

    The transition moves the lifecycle field its decorator names (`state`, or a second one
    such as `publication`); the log row records that field's source and target.
    `expected_state`: the value of that field the user saw; if the row has moved since, a
    Conflict says so. `set_fields`: values recorded with this move that its conditions read
    (e.g. the reason to close a topic without awaiting responses), set on the locked row after
    the permission check and before the conditions; saved with the move or not at all.
    Raises Forbidden (403), Conflict (409) or InvalidInput (400).
    """
    model = type(instance)
    meta = _meta(model, name)
    field = meta.field
    field_name = field.name
    fsm_names = {f.attname for f in fsm_fields(model)}
    if set_fields and fsm_names & set(set_fields):
        raise ValueError("A lifecycle field moves only by its transitions, never by set_fields.")
    event_type = event_type_for_transition(model, name)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        state = getattr(locked, field_name)
        if not transition_allowed_for(locked, name, by):
            raise _forbidden(meta, name, model)
        if expected_state is not None and state != expected_state:
            raise Conflict(
                f"This {model._meta.verbose_name} has just been moved to "
                f"'{_display(field, state)}' by someone else.",
                current_state=state,
            )
        if not meta.has_transition(state):
            raise Conflict(
                f"Cannot {name.replace('_', ' ')}: this {model._meta.verbose_name} is "
                f"'{_display(field, state)}'.",
                current_state=state,
            )
        for attr, value in (set_fields or {}).items():
            setattr(locked, attr, value)
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
            f.name
            for f in model._meta.concrete_fields
            if before[f.attname] != after[f.attname] or f.name in (set_fields or {})
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
