"""Agenda packs as one PDF, built in the task worker and cached until the agenda changes
(docs/decisions/0031-agenda-packs.md).

A pack's version is a digest of everything it shows: the meeting's details, its organiser, the
items it holds (in order, with their words) and their papers (by content hash). Any change to
the agenda, an item or a paper gives a new version, so asking for the pack finds no row for it
and queues a new build; the page says "being prepared" until the worker has built it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from protocols.models import AgendaItem, Meeting, Pack, PackKind, Paper
from protocols.pdf import assemble, read_paper
from scrutiny.casework.policy import visible

logger = logging.getLogger(__name__)

# Raise when the pack's template or assembly changes: every pack is then built again.
FORMAT = "agenda-pack/1"
# A build that failed is tried again on a request this long after.
RETRY_AFTER = dt.timedelta(minutes=10)
AGENDA_KINDS = (PackKind.AGENDA, PackKind.AGENDA_FULL)


def _items(meeting: Meeting) -> list[AgendaItem]:
    """Every item of the meeting with its papers (two queries)."""
    papers = Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "id"))
    return list(meeting.items.prefetch_related(papers).order_by("position", "id"))


def _shown(items, kind) -> list[AgendaItem]:
    return list(items) if kind == PackKind.AGENDA_FULL else [it for it in items if not it.exempt]


def _digest(meeting: Meeting, items, kind) -> str:
    shown = _shown(items, kind)
    facts = {
        "format": FORMAT,
        "kind": kind,
        "meeting": [
            meeting.title,
            str(meeting.organiser),
            meeting.date.isoformat(),
            meeting.start_time.isoformat(),
            meeting.end_time.isoformat() if meeting.end_time else "",
            meeting.place,
            meeting.online_url,
            meeting.state,
            meeting.agenda_published_at.isoformat() if meeting.agenda_published_at else "",
        ],
        "items": [
            [
                it.pk,
                it.position,
                it.title,
                it.presenter,
                it.summary,
                it.late,
                it.exempt,
                it.exempt_paragraph,
                it.public_interest_reason,
                [[p.pk, p.title, p.original_name, p.sha256] for p in it.papers.all()],
            ]
            for it in shown
        ],
        # The public pack says that some items are taken in private, never which.
        "private": len(shown) < len(items),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def agenda_pack_kind(user, meeting: Meeting, *, members: bool) -> PackKind:
    """The pack this person gets. The public pack never holds an exempt item; the members'
    pack holds the exempt items when the policy lets `user` read them (the staff of the
    meeting's bodies; its committees' co-optees where their rules say so)."""
    if members and visible(user, meeting.items.filter(exempt=True)).exists():
        return PackKind.AGENDA_FULL
    return PackKind.AGENDA


def _enqueue(pack_id: int) -> None:
    """Queue the build: in the same transaction as the row when the queue is our database
    (django-tasks-db), after commit otherwise (as workflows.notifications does)."""
    from protocols.tasks import build_pack

    if type(build_pack.get_backend()).__module__.startswith("django_tasks_db"):
        build_pack.enqueue(pack_id)
    else:
        transaction.on_commit(lambda: build_pack.enqueue(pack_id))


def agenda_packs(meeting: Meeting, kinds=AGENDA_KINDS, *, items=None) -> dict[PackKind, Pack]:
    """The current pack of each kind, asking the worker for any not yet built. Constant
    queries: the items and papers (unless given), the packs, and a write per new request."""
    items = _items(meeting) if items is None else items
    versions = {kind: _digest(meeting, items, kind) for kind in kinds}
    rows = Pack.objects.filter(meeting=meeting, version__in=list(versions.values()))
    found = {(p.kind, p.version): p for p in rows}
    now = timezone.now()
    out = {}
    for kind, version in versions.items():
        pack = found.get((kind, version))
        if pack is None:
            pack = _request(meeting, kind, version)
        elif pack.failed_at and pack.failed_at < now - RETRY_AFTER:
            Pack.objects.filter(pk=pack.pk).update(failed_at=None, error="", requested_at=now)
            pack.failed_at, pack.error = None, ""
            _enqueue(pack.pk)
        out[kind] = pack
    return out


def _request(meeting: Meeting, kind: PackKind, version: str) -> Pack:
    try:
        with transaction.atomic():
            pack = Pack.objects.create(meeting=meeting, kind=kind, version=version)
            _enqueue(pack.pk)
    except IntegrityError:  # another request asked for the same version first
        pack = Pack.objects.get(meeting=meeting, kind=kind, version=version)
    return pack


def agenda_pack_lost(pack: Pack) -> Pack:
    """A built pack whose file has gone (storage wiped): forget it and ask for it again."""
    Pack.objects.filter(pk=pack.pk).delete()
    return _request(pack.meeting, pack.kind, pack.version)


def agenda_pack_build(pack_id: int) -> str:
    """Build one pack (the task worker runs this). Idempotent: a built pack is left alone; a
    pack whose agenda changed since it was asked for is dropped (the next request asks for
    the new version)."""
    pack = Pack.objects.select_related("meeting__body", "meeting__partnership").filter(pk=pack_id)
    pack = pack.first()
    if pack is None or pack.built_at is not None:
        return "skipped"
    meeting = pack.meeting
    items = _items(meeting)
    if _digest(meeting, items, pack.kind) != pack.version:
        Pack.objects.filter(pk=pack.pk, built_at__isnull=True).delete()
        return "stale"
    try:
        built = _render(meeting, _shown(items, pack.kind), pack.kind, total=len(items))
    except Exception as exc:  # a bad paper must not loop the worker: record it, retry later
        logger.exception("Agenda pack %s failed", pack.pk)
        Pack.objects.filter(pk=pack.pk).update(failed_at=timezone.now(), error=str(exc)[:1000])
        return "failed"
    name = f"packs/{meeting.pk}/{pack.kind}-{pack.version[:16]}.pdf"
    saved = default_storage.save(name, ContentFile(built.pdf))
    with transaction.atomic():
        done = Pack.objects.filter(pk=pack.pk, built_at__isnull=True).update(
            file=saved,
            pages=built.pages,
            size=len(built.pdf),
            sha256=built.sha256,
            contents=built.contents,
            listed=built.listed,
            built_at=timezone.now(),
            failed_at=None,
            error="",
        )
        if not done:
            transaction.on_commit(lambda: default_storage.delete(saved))
            return "skipped"
        older = Pack.objects.filter(meeting=meeting, kind=pack.kind).exclude(pk=pack.pk)
        files = [f for f in older.values_list("file", flat=True) if f]
        older.delete()
        transaction.on_commit(lambda: [default_storage.delete(f) for f in files])
    return "built"


def _render(meeting: Meeting, items, kind: PackKind, *, total: int):
    site = settings.SITE_URL.rstrip("/")
    papers_of = {
        it.pk: [read_paper(p, url=site + p.get_absolute_url()) for p in it.papers.all()]
        for it in items
    }
    papers = [p for it in items for p in papers_of[it.pk]]
    full = kind == PackKind.AGENDA_FULL
    context = {
        "meeting": meeting,
        "organiser": str(meeting.organiser),
        "full": full,
        "kind_label": PackKind(kind).label,
        "rows": [{"item": it, "papers": papers_of[it.pk]} for it in items],
        "private": total > len(items),
        "meeting_url": site + meeting.get_absolute_url(),
        "made_at": timezone.localtime(),
    }
    return assemble("protocols/pdf/agenda_pack.html", context, papers, base_url=site + "/")
