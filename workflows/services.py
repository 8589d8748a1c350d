"""The one transition service, and the services that keep clocks right.

Every lifecycle move in the product goes through `transition_apply`: lock the row, check
permission (403), check the move is available now (409), apply the pure transition method,
save what changed, append its typed audit event (`workflows.audit.log_event`; the event is also
the webhook outbox record), and after commit refresh the public pages and run the caller's effects.
A model may have more than one lifecycle field (a topic's `state` and its `publication`); each
transition names the field it moves, and the event records that field's source and target.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django_fsm import FSMFieldMixin, TransitionNotAllowed

from workflows.audit import EventType, event_type_for_transition, log_event, log_events
from workflows.batches import pk_batches
from workflows.cache import public_cache_bump
from workflows.calendar import fmt
from workflows.clocks import calendar_for, compute_due
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import (
    ClockedModel,
    DeadlineRule,
    DeadlineRuleVersion,
    DueDateChange,
    HolidayOverride,
    latest_version,
    terms_in_force,
)

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
        # Any lifecycle move may change what a public page shows: the pages of the scope the
        # object names (workflows.cache), or every page when it names none.
        scope_of = getattr(locked, "public_cache_scope", None)
        scope = scope_of() if callable(scope_of) else None
        transaction.on_commit(lambda: public_cache_bump(scope))
        for effect in list(after_commit):
            transaction.on_commit(effect)
    return locked


def clocked_models() -> list[type[ClockedModel]]:
    return [m for m in apps.get_models() if issubclass(m, ClockedModel)]


# --- Due dates that move: plan, preview, apply -------------------------------------------------
#
# A change to a rule or to the holiday list is planned first (which open due dates would move,
# old and new), without writing anything: the admin's preview shows the plan, and the confirmed
# change applies the same plan inside its transaction. Planning reads each clocked model's open
# clocks in one query, every rule version in one, and the holiday overrides once per region;
# applying writes in batches. The query count does not grow with the number of clocks.

BATCH = 500


class Why(models.TextChoices):
    """Why a due date moved (the `why` of a "due date moved" audit event)."""

    RULE_CHANGE = "rule_change", "Deadline rule changed"
    RULE_CORRECTION = "rule_correction", "Deadline rule corrected"
    HOLIDAY_ADDED = "holiday_added", "Bank holiday added"
    HOLIDAY_REMOVED = "holiday_removed", "Listed bank holiday removed"
    HOLIDAY_CHANGED = "holiday_changed", "Holiday override changed"
    HOLIDAY_WITHDRAWN = "holiday_withdrawn", "Holiday override withdrawn"
    RECOMPUTE = "recompute", "Due dates recomputed"


@dataclass(frozen=True)
class DueDateMove:
    obj: ClockedModel
    old_due_on: dt.date
    new_due_on: dt.date
    old_explanation: str
    new_explanation: str

    @property
    def days(self) -> int:
        """Calendar days the due date moves (negative: earlier)."""
        return (self.new_due_on - self.old_due_on).days

    @property
    def kind(self) -> str:
        return str(type(self.obj)._meta.verbose_name)


def _move_order(move: DueDateMove):
    return (move.old_due_on, move.new_due_on, move.kind, move.obj.pk)


@dataclass(frozen=True)
class MovePlan:
    """The due dates a change would move (a preview), or did move (once applied)."""

    moves: list[DueDateMove]
    sample_size: int = 10

    @property
    def count(self) -> int:
        return len(self.moves)

    @property
    def earliest(self) -> DueDateMove | None:
        """The move of the soonest due date it touches."""
        return min(self.moves, key=_move_order, default=None)

    @property
    def latest(self) -> DueDateMove | None:
        """The move of the furthest due date it touches."""
        return max(self.moves, key=_move_order, default=None)

    @property
    def most_earlier(self) -> int:
        return max((-m.days for m in self.moves if m.days < 0), default=0)

    @property
    def most_later(self) -> int:
        return max((m.days for m in self.moves if m.days > 0), default=0)

    @property
    def sample(self) -> list[DueDateMove]:
        """The first moves by old due date (what is due soonest matters most)."""
        return sorted(self.moves, key=_move_order)[: self.sample_size]


def _versions_by_rule(versions) -> dict[int, list[DeadlineRuleVersion]]:
    grouped = defaultdict(list)
    for version in versions:
        grouped[version.rule_id].append(version)
    return grouped


def _window_spans(dates) -> models.Q:
    """Clocks whose window (from the start to the due date, either way round: a clear-days
    clock's due date comes before its event) contains one of `dates`: only those can move
    when a holiday on one of those dates is added or removed."""
    q = models.Q(pk__in=[])
    for day in dates:
        q |= models.Q(clock_started_on__lte=day, due_on__gte=day)
        q |= models.Q(due_on__lte=day, clock_started_on__gte=day)
    return q


def _open_clocks(model, *, rule=None, dates=None):
    qs = model.open_clocks()
    if rule is not None:
        qs = qs.filter(due_rule_id=rule.pk)
    if dates is not None:
        qs = qs.filter(_window_spans(dates))
    return qs


class _Planner:
    """Fresh due dates for open clocks, `compute_due` memoised by (terms, calendar, start):
    a country's clocks start on a few thousand days under a few dozen rules."""

    def __init__(self, *, versions=None, rule=None, overrides=None):
        if versions is None:
            versions = DeadlineRuleVersion.objects.all()
            if rule is not None:
                versions = versions.filter(rule=rule)
        self.by_rule = _versions_by_rule(versions)
        self.overrides = overrides
        self.calendars: dict = {}
        self.memo: dict = {}

    def moves(self, objs) -> list[DueDateMove]:
        moves = []
        for obj in objs:
            terms = terms_in_force(
                obj.due_rule, self.by_rule[obj.due_rule_id], obj.clock_started_on
            )
            region = terms.effective_region
            cal = self.calendars.get(region)
            if cal is None:
                cal = self.calendars[region] = calendar_for(region, overrides=self.overrides)
            # A rule or a recorded version by its key; an unsaved version (a preview) by itself.
            ident = id(terms) if terms.pk is None else terms.pk
            key = (type(terms), ident, region, obj.clock_started_on)
            due = self.memo.get(key)
            if due is None:
                due = self.memo[key] = compute_due(
                    obj.due_rule, obj.clock_started_on, calendar=cal, terms=terms
                )
            if due.date == obj.due_on and due.explanation == obj.due_explanation:
                continue
            moves.append(
                DueDateMove(obj, obj.due_on, due.date, obj.due_explanation, due.explanation)
            )
        return moves


def _plan_moves(*, rule=None, versions=None, overrides=None, dates=None) -> list[DueDateMove]:
    """The open due dates (of `rule`, or all) that differ from a fresh computation; writes
    nothing (a preview).

    `versions`: the rule versions to count by instead of the recorded ones; `overrides`: the
    holiday overrides instead of the recorded ones (both for a preview of an unsaved change).
    `dates`: only clocks whose window spans one of these dates (a holiday change).
    """
    planner = _Planner(versions=versions, rule=rule, overrides=overrides)
    moves = []
    for model in clocked_models():
        qs = _open_clocks(model, rule=rule, dates=dates).select_related("due_rule")
        moves += planner.moves(qs.order_by("pk").iterator(chunk_size=BATCH))
    return moves


def _move_note(move: DueDateMove, reason: str) -> str:
    return (
        f"From {fmt(move.old_due_on)} to {fmt(move.new_due_on)}: {reason}.\n{move.new_explanation}"
    )


def _apply_moves(moves: list[DueDateMove], *, reason: str, why: str, by) -> list[DueDateChange]:
    """Save the new due dates, a DueDateChange and a "due date moved" event for each move."""
    by_model = defaultdict(list)
    for move in moves:
        by_model[type(move.obj)].append(move)
    changes = []
    for model, model_moves in by_model.items():
        ctype = ContentType.objects.get_for_model(model)
        objs, same = [], defaultdict(list)
        for move in model_moves:
            move.obj.due_on, move.obj.due_explanation = move.new_due_on, move.new_explanation
            objs.append(move.obj)
            same[(move.new_due_on, move.new_explanation)].append(move.obj.pk)
        # One UPDATE per new (date, explanation): clocks that started the same day under the
        # same rule move together.
        for (due_on, explanation), pks in same.items():
            model._default_manager.filter(pk__in=pks).update(
                due_on=due_on, due_explanation=explanation
            )
        model_changes = DueDateChange.objects.bulk_create(
            [
                DueDateChange(
                    content_type=ctype,
                    object_id=move.obj.pk,
                    old_due_on=move.old_due_on,
                    new_due_on=move.new_due_on,
                    old_explanation=move.old_explanation,
                    new_explanation=move.new_explanation,
                    reason=reason[:300],
                )
                for move in model_moves
            ],
            batch_size=BATCH,
        )
        log_events(
            objs,
            EventType.DUE_DATE_MOVED,
            by=by,
            notes=[_move_note(move, reason) for move in model_moves],
            data=[
                {
                    "old_due_on": move.old_due_on,
                    "new_due_on": move.new_due_on,
                    "why": why,
                    "reason": reason,
                    "due_date_change": change.pk,
                }
                for move, change in zip(model_moves, model_changes, strict=True)
            ],
            batch_size=BATCH,
        )
        changes += model_changes
    return changes


def clocks_recompute(
    *,
    reason: str,
    rule: DeadlineRule | None = None,
    by=None,
    why: str = Why.RECOMPUTE,
    dates: Iterable[dt.date] | None = None,
    on_batch: Callable[[list[DueDateChange]], object] | None = None,
) -> list[DueDateChange]:
    """Recompute the open due dates (of `rule`; of clocks spanning `dates`; or all); record
    each one that moved.

    In batches of BATCH clocks, each in its own transaction: the batch's rows are locked, the
    dates computed afresh under the lock, moved in grouped UPDATEs with their records and
    events, and `on_batch(changes)` called (e.g. to write the notices) before it commits. So
    no more than one batch of rows is locked at a time, and a recompute interrupted half way
    is finished by running it again (a clock already right does not move)."""
    dates = list(dates) if dates is not None else None
    planner = _Planner(rule=rule)
    changes: list[DueDateChange] = []
    for model in clocked_models():
        for pks in pk_batches(_open_clocks(model, rule=rule, dates=dates), BATCH):
            with transaction.atomic():
                locked = (
                    _open_clocks(model, rule=rule)
                    .filter(pk__in=pks)
                    .select_related("due_rule")
                    .select_for_update(of=("self",))
                    .order_by("pk")
                )
                batch = _apply_moves(planner.moves(locked), reason=reason, why=why, by=by)
                if on_batch is not None and batch:
                    on_batch(batch)
            changes += batch
    log.info("recomputed due dates (%s): %d moved", reason, len(changes))
    return changes


# --- Deadline rules: changes from a date, and corrections ---------------------------------------


def rule_terms(rule) -> dict:
    return {name: getattr(rule, name) for name in DeadlineRule.TERM_FIELDS}


def _rule_versions_after(
    recorded: DeadlineRule, versions, *, terms: dict, effective_from, correction, by, note
) -> list[DeadlineRuleVersion]:
    """The unsaved versions a change adds: the rule's earlier terms when none were recorded
    yet (in force since the beginning), and the new terms from their effective date."""
    versions = list(versions)
    new = []
    if not versions:
        new.append(
            DeadlineRuleVersion(
                rule=recorded,
                effective_from=None,
                note="The terms before the first recorded change",
                **rule_terms(recorded),
            )
        )
    current = latest_version([*versions, *new])
    if correction:
        effective_from = current.effective_from
    elif effective_from is None:
        raise InvalidInput(
            "Say from when the change applies, or mark it a correction.",
            field_errors={"effective_from": ["Enter the date the change applies from"]},
        )
    elif current.effective_from is not None and effective_from < current.effective_from:
        raise InvalidInput(
            f"A change from {fmt(current.effective_from)} is already recorded: give a date on or "
            "after it, or mark this change a correction of it.",
            field_errors={"effective_from": ["Enter a date on or after the last change"]},
        )
    new.append(
        DeadlineRuleVersion(
            rule=recorded,
            effective_from=effective_from,
            correction=correction,
            note=note[:300],
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
            **terms,
        )
    )
    return new


def _rule_reason(rule, *, effective_from, correction) -> tuple[str, str]:
    if correction:
        return f"deadline rule '{rule.slug}' corrected", Why.RULE_CORRECTION
    return (
        f"deadline rule '{rule.slug}' changed for clocks started from {fmt(effective_from)}",
        Why.RULE_CHANGE,
    )


def deadline_rule_preview(
    *, rule: DeadlineRule, effective_from=None, correction: bool = False
) -> MovePlan | None:
    """What saving `rule` (changed in memory, not saved) would move; writes nothing.

    None when the change moves no clock by its nature (a new rule; the name or source only)."""
    rule.full_clean()
    if rule.pk is None:
        return None
    recorded = DeadlineRule.objects.get(pk=rule.pk)
    if rule_terms(rule) == rule_terms(recorded):
        return None
    versions = list(DeadlineRuleVersion.objects.filter(rule=recorded))
    added = _rule_versions_after(
        recorded,
        versions,
        terms=rule_terms(rule),
        effective_from=effective_from,
        correction=correction,
        by=None,
        note="",
    )
    return MovePlan(_plan_moves(rule=recorded, versions=[*versions, *added]))


def deadline_rule_save(
    *,
    rule: DeadlineRule,
    by=None,
    effective_from=None,
    correction: bool = False,
    note: str = "",
    on_batch: Callable[[list[DueDateChange]], object] | None = None,
) -> list[DueDateChange]:
    """Save a changed rule; recompute the open due dates that the change reaches.

    A change of the rule's terms (period, unit, kind, counting, region) is recorded as a
    `DeadlineRuleVersion`: from `effective_from` (clocks started before it keep the terms
    they started under), or, with `correction`, replacing the version in force so that every
    clock counted by it is recomputed. Other fields (name, source) just save. The rule and its
    versions commit first; the clocks are then recomputed in batches (`clocks_recompute`).
    """
    with transaction.atomic():
        rule.full_clean()
        if rule.pk is None:
            rule.save()
            return []
        recorded = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
        if rule_terms(rule) == rule_terms(recorded):
            rule.save()
            return []
        versions = list(DeadlineRuleVersion.objects.filter(rule=recorded))
        added = _rule_versions_after(
            recorded,
            versions,
            terms=rule_terms(rule),
            effective_from=effective_from,
            correction=correction,
            by=by,
            note=note,
        )
        # The rule row shows the latest terms; the versions say from when each applies.
        for name, value in rule_terms(latest_version([*versions, *added])).items():
            setattr(rule, name, value)
        rule.save()
        for version in added:
            version.save()
        reason, why = _rule_reason(
            rule, effective_from=added[-1].effective_from, correction=correction
        )
    return clocks_recompute(reason=reason, rule=rule, by=by, why=why, on_batch=on_batch)


# --- Bank holidays ------------------------------------------------------------------------------


def _holiday_reason(override, *, withdrawn=False, changed=False) -> tuple[str, str]:
    desc = f"{override.date:%d %b %Y} {override.name}"
    if withdrawn:
        return f"holiday override withdrawn: {desc}", Why.HOLIDAY_WITHDRAWN
    if changed:
        return f"holiday override changed: {desc}", Why.HOLIDAY_CHANGED
    if override.action == override.Action.ADD:
        return f"bank holiday added: {desc}", Why.HOLIDAY_ADDED
    return f"bank holiday removed: {desc}", Why.HOLIDAY_REMOVED


def _holiday_dates(override) -> set[dt.date]:
    """The days a change of `override` touches: its date, and the recorded one if it moved."""
    recorded = None
    if override.pk is not None:
        recorded = (
            HolidayOverride.objects.filter(pk=override.pk).values_list("date", flat=True).first()
        )
    return {override.date, recorded} - {None}


def holiday_override_preview(*, override, delete: bool = False) -> MovePlan:
    """What saving (or, with `delete`, deleting) `override` would move; writes nothing."""
    if not delete:
        override.full_clean()
    overrides = [o for o in HolidayOverride.objects.all() if o.pk != override.pk or not o.pk]
    if not delete:
        overrides.append(override)
    return MovePlan(_plan_moves(overrides=overrides, dates=_holiday_dates(override)))


def holiday_override_save(*, override, by=None, on_batch=None) -> list[DueDateChange]:
    """Record a bank holiday added or removed, and recompute the open due dates whose window
    spans it (in batches, after the override commits)."""
    with transaction.atomic():
        changed = override.pk is not None
        override.full_clean()
        dates = _holiday_dates(override)
        override.save()
        reason, why = _holiday_reason(override, changed=changed)
    return clocks_recompute(reason=reason, by=by, why=why, dates=dates, on_batch=on_batch)


def holiday_override_delete(*, override, by=None, on_batch=None) -> list[DueDateChange]:
    with transaction.atomic():
        reason, why = _holiday_reason(override, withdrawn=True)
        dates = _holiday_dates(override)
        override.delete()
    return clocks_recompute(reason=reason, by=by, why=why, dates=dates, on_batch=on_batch)
