"""The deadline sweep's registry of clock sources, and what a source yields (`ClockedItem`).

The engine knows nothing about casework. Higher packages register *clock sources* (usually when
the sweep imports the modules named in CF_CLOCK_SOURCE_MODULES): each says which rows are open
clocks (`clocks(due_by)`, a queryset, so the sweep can choose its candidates in SQL) and builds
`ClockedItem`s for a batch of primary keys (`items_for(pks)`) — what is clocked, when it is due,
who is reminded, who is told when it is very overdue, whose daily digest lists it, and a link.

    from workflows.sweep import ClockedItem, clock_source_register

    clock_source_register(
        kind="protocol_review",
        label="Protocol reviews",
        model=ProtocolVersion,
        clocks=lambda due_by: ProtocolVersion.objects.filter(..., review_on__lte=due_by),
        due_field="review_on",
        items_for=lambda pks: [...ClockedItem...],       # the items for those primary keys
    )

A source may instead give `open_items(due_by)` (every open item due by then, as items): the
sweep then reads them all on every run, which is fine for a handful and slow for a country.
Kept apart from `workflows.sweep` so that the outbox (`workflows.notifications`) can look a
source up without importing the sweep, and the sweep can import the outbox.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class ClockedItem:
    """One open clock, as the sweep and the e-mails see it.

    `obj` is the clocked model instance; `title` names it for people ("Request for information:
    …"); `owed_by` is the body that must act; `action` says what it must do ("answer the request
    for information"); `link` is a path (or absolute URL) to the case.
    """

    kind: str
    obj: Any
    due_on: dt.date
    title: str
    link: str
    owed_by: str = ""
    action: str = "respond"
    topic: str = ""
    due_explanation: str = ""
    region: str | None = None
    reminder_recipients: Sequence[Any] = ()
    escalation_recipients: Sequence[Any] = ()
    digest_recipients: Sequence[Any] = ()

    @property
    def object_id(self) -> int:
        return self.obj.pk

    @property
    def label(self) -> str:
        return clock_source(self.kind).label if self.kind in _sources else self.kind


@dataclass(frozen=True)
class ClockSource:
    kind: str
    label: str
    open_items: Callable[[dt.date], Iterable[ClockedItem]] | None = None
    items_for: Callable[[Sequence[int]], Iterable[ClockedItem]] | None = None
    model: type | None = None
    clocks: Callable[[dt.date], Any] | None = None  # a QuerySet of open rows due by then
    due_field: str = "due_on"

    @property
    def set_based(self) -> bool:
        """True when the sweep can pick this source's candidates in SQL."""
        return self.clocks is not None and self.items_for is not None and self.model is not None


_sources: dict[str, ClockSource] = {}


def clock_source_register(
    *,
    kind: str,
    label: str,
    open_items: Callable[[dt.date], Iterable[ClockedItem]] | None = None,
    items_for: Callable[[Sequence[int]], Iterable[ClockedItem]] | None = None,
    model: type | None = None,
    clocks: Callable[[dt.date], Any] | None = None,
    due_field: str = "due_on",
) -> ClockSource:
    """Register (or replace) the clock source `kind`.

    `clocks(due_by)`: a queryset of `model`'s open rows due (by `due_field`) on or before
    `due_by`; with it, the sweep chooses in SQL the rows with something still to do and builds
    items only for those, in batches. `open_items(due_by)`: the same as items, for a source
    without a queryset. `items_for(pks)` yields the items for those primary keys of `model`,
    open or not: the sweep uses it for its batches, and the outbox to tell people when a due
    date moved.
    """
    if clocks is None and open_items is None:
        raise ValueError("A clock source needs `clocks` (a queryset) or `open_items`.")
    source = ClockSource(
        kind=kind,
        label=label,
        open_items=open_items,
        items_for=items_for,
        model=model,
        clocks=clocks,
        due_field=due_field,
    )
    _sources[kind] = source
    return source


def clock_source_unregister(kind: str) -> None:
    _sources.pop(kind, None)


_configured_loaded = False


def _load_configured_sources() -> None:
    """Import the modules named in settings.CF_CLOCK_SOURCE_MODULES (once), calling the
    `register()` of each that has one. The composition root (settings) names them, so the
    engine needs no import of a higher package."""
    global _configured_loaded
    if _configured_loaded:
        return
    _configured_loaded = True
    for name in getattr(settings, "CF_CLOCK_SOURCE_MODULES", ()):
        module = importlib.import_module(name)
        register = getattr(module, "register", None)
        if callable(register):
            register()


def clock_sources() -> list[ClockSource]:
    _load_configured_sources()
    return list(_sources.values())


def clock_source(kind: str) -> ClockSource:
    return _sources[kind]


def clock_source_for_model(model) -> ClockSource | None:
    _load_configured_sources()
    for source in _sources.values():
        if source.model is not None and model is not None and issubclass(model, source.model):
            return source
    return None
