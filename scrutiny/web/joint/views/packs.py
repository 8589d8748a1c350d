"""Agenda packs as one PDF: the public pack (never an exempt item) and the members' pack
(docs/decisions/0031-agenda-packs.md). The worker builds them; until it has, these pages say
the pack is being prepared, and asking is what queues the build."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from protocols import selectors
from protocols.models import PackKind
from protocols.services import packs
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.web.joint import presenters


def pack_links(user, meeting) -> list[presenters.PackLink]:
    """The packs a meeting's page offers `user`: the public pack of a published agenda, and
    the members' pack where it differs (exempt items, or an agenda not yet published).
    Asking queues any pack not yet built."""
    wanted = {}
    if meeting.agenda_published:
        wanted[PackKind.AGENDA] = reverse("protocols:meeting-pack-pdf", args=[meeting.pk])
    if can(user, Perm.MEETING_PACK, meeting):
        kind = packs.agenda_pack_kind(user, meeting, members=True)
        url = reverse("protocols:meeting-pack-members-pdf", args=[meeting.pk])
        wanted.setdefault(kind, url)
    if not wanted:
        return []
    found = packs.agenda_packs(meeting, list(wanted))
    return [presenters.pack_link(found[kind], url) for kind, url in wanted.items()]


@require_GET
def meeting_pack_pdf(request, pk):
    """The public agenda pack of a published agenda, for anyone (members too)."""
    meeting = get_object_or_404(selectors.meetings_published(), pk=pk)
    return _pack_response(request, meeting, PackKind.AGENDA, public=True)


@login_required
@require_GET
def meeting_pack_members_pdf(request, pk):
    """The members' pack: every item the policy lets this member read, exempt ones included
    for the staff of the meeting's bodies (and co-optees where their committee says so)."""
    meeting = get_object_or_404(selectors.meetings_for_member(request.user), pk=pk)
    kind = packs.agenda_pack_kind(request.user, meeting, members=True)
    return _pack_response(request, meeting, kind, public=False)


def _pack_response(request, meeting, kind, *, public: bool):
    pack = packs.agenda_packs(meeting, [kind])[kind]
    handle = None
    if pack.ready:
        etag = f'"{pack.sha256}"'
        cache_control = "public, max-age=0, must-revalidate" if public else "private, no-cache"
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"], response["Cache-Control"] = etag, cache_control
            return response
        try:
            handle = pack.file.open("rb")
        except FileNotFoundError:
            pack = packs.agenda_pack_lost(pack)
    if handle is None:
        link = presenters.pack_link(pack, request.path)
        response = render(
            request,
            "protocols/pack_preparing.html",
            {"meeting": meeting, "link": link},
            status=503 if link.failed else 202,
        )
        response["Retry-After"] = "600" if link.failed else "30"
        response["Cache-Control"] = "no-store"
        return response
    suffix = "agenda-pack" if kind == PackKind.AGENDA else "members-pack"
    name = f"{slugify(meeting.title)}-{meeting.date:%Y-%m-%d}-{suffix}.pdf"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["ETag"], response["Cache-Control"] = etag, cache_control
    return response
