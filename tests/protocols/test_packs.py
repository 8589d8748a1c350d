"""Agenda packs as one PDF (issue 17, Build 3): the public pack holds the agenda and every
non-exempt paper and never an exempt one (read back with pypdf); the members' pack holds the
exempt items for those allowed and is 404 for others; the worker builds them; a change to the
agenda makes a new pack; downloads carry their name, type and ETag."""

import io
import re

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from protocols import services
from protocols.models import Pack, PackKind
from protocols.services import packs
from scrutiny.demo.papers import pdf_paper

from .conftest import paper_file

pytestmark = pytest.mark.django_db


def build_queued():
    """What the task worker does: run every queued pack build (and check one was queued)."""
    queued = DBTaskResult.objects.filter(task_path="protocols.tasks.build_pack")
    ids = [row.args_kwargs["args"][0] for row in queued]
    assert ids, "no pack build was queued"
    outcomes = [packs.agenda_pack_build(pk) for pk in ids]
    queued.delete()
    return outcomes


def read(response) -> pypdf.PdfReader:
    body = b"".join(response.streaming_content)
    return pypdf.PdfReader(io.BytesIO(body))


def page_texts(reader):
    return [page.extract_text() for page in reader.pages]


def outline_titles(reader):
    titles = []

    def walk(nodes, depth):
        for node in nodes:
            if isinstance(node, list):
                walk(node, depth + 1)
            else:
                titles.append((depth, node.title, reader.get_destination_page_number(node) + 1))

    walk(reader.outline, 0)
    return titles


@pytest.fixture
def pack_meeting(make_meeting, officer):
    """A published agenda: a public item with a two-page PDF, a text paper and a Word paper;
    an exempt item with a PDF and a text paper."""
    meeting = make_meeting(title="Stroke services review")
    public = services.agenda_item_add(
        meeting=meeting, by=officer, title="Moving the stroke unit", presenter="Medical director"
    )
    services.paper_add(
        item=public,
        by=officer,
        file=pdf_paper("stroke.pdf", "Stroke options", ["PUBLIC-PDF-TEXT options"], pages=2),
        title="Stroke options appraisal",
    )
    services.paper_add(
        item=public,
        by=officer,
        file=paper_file("notes.txt", "PUBLIC-TEXT-PAPER notes"),
        title="Engagement notes",
    )
    docx = SimpleUploadedFile("plan.docx", b"PK\x03\x04" + b"x" * 200)
    services.paper_add(item=public, by=officer, file=docx, title="Travel plan")
    exempt = services.agenda_item_add(
        meeting=meeting,
        by=officer,
        title="SECRET-ITEM provider contract",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="SECRET-REASON commercial terms under negotiation.",
    )
    services.paper_add(
        item=exempt,
        by=officer,
        file=pdf_paper("secret.pdf", "SECRET-PDF-TITLE", ["SECRET-PDF-TEXT figures"]),
        title="SECRET-PAPER figures",
    )
    services.paper_add(
        item=exempt, by=officer, file=paper_file("s.txt", "SECRET-TXT"), title="SECRET-PAPER-2"
    )
    services.meeting_publish_agenda(meeting=meeting, by=officer)
    meeting.refresh_from_db()
    return meeting


def test_public_pack_holds_the_agenda_and_every_public_paper_and_no_exempt_one(
    client, pack_meeting
):
    url = reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk])
    first = client.get(url)
    assert first.status_code == 202 and first["Retry-After"] == "30"
    assert "being prepared" in first.content.decode()
    assert build_queued() == ["built"]

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="stroke-services-review-2027-01-05-agenda-pack.pdf"'
    )
    assert re.fullmatch(r'"[0-9a-f]{64}"', response["ETag"])
    reader = read(response)
    pages = page_texts(reader)
    text = "\n".join(pages)
    for expected in (
        "Stroke services review",
        "Moving the stroke unit",
        "Medical director",
        "PUBLIC-PDF-TEXT options",
        "PUBLIC-TEXT-PAPER notes",
        "Travel plan",
        "considered in private",
    ):
        assert expected in text
    assert "SECRET" not in text
    assert "not in the pack" in text  # the Word paper is listed with its note
    # Both pages of the PDF paper are in, under the pack's own page numbers.
    assert sum("PUBLIC-PDF-TEXT options" in p for p in pages) == 2
    assert all(f"Page {n} of {len(pages)}" in p for n, p in enumerate(pages, start=1))

    # The contents page gives the pages the outline points at, and those pages hold them.
    outline = outline_titles(reader)
    assert [(d, t) for d, t, _ in outline] == [
        (0, "Contents"),
        (0, "1. Moving the stroke unit"),
        (1, "Stroke options appraisal"),
        (1, "Engagement notes"),
        (1, "Travel plan"),
    ]
    contents = pages[1]
    for _, title, page in outline[1:]:
        assert re.search(re.escape(title) + r"[ .]*" + str(page) + r"\b", contents), title
    by_title = {title: page for _, title, page in outline}
    assert "PUBLIC-PDF-TEXT options" in pages[by_title["Stroke options appraisal"] - 1]
    assert "PUBLIC-TEXT-PAPER notes" in pages[by_title["Engagement notes"] - 1]

    # Title, language and tags for assistive technology.
    assert reader.metadata.title == "Agenda pack: Stroke services review, 5 January 2027"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]

    # The same pack again: not modified.
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


def test_members_pack_holds_exempt_items_for_members_only(
    client, pack_meeting, officer, member, responder, other_officer
):
    url = reverse("protocols:meeting-pack-members-pdf", args=[pack_meeting.pk])
    assert client.get(url).status_code == 302  # sign in first
    for outsider in (responder, other_officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 202
    build_queued()
    response = client.get(url)
    assert response.status_code == 200
    assert "members-pack.pdf" in response["Content-Disposition"]
    text = "\n".join(page_texts(read(response)))
    for expected in (
        "SECRET-ITEM provider contract",
        "SECRET-PDF-TEXT figures",
        "SECRET-TXT",
        "SECRET-REASON",
        "PUBLIC-PDF-TEXT options",
        "EXEMPT INFORMATION: NOT FOR PUBLICATION",
        "Exempt: not for publication",
    ):
        assert expected in text
    assert Pack.objects.get(meeting=pack_meeting).kind == PackKind.AGENDA_FULL
    # The public pack stays public even for a member.
    client.get(reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk]))
    build_queued()
    public = client.get(reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk]))
    assert "SECRET" not in "\n".join(page_texts(read(public)))


def test_a_change_to_the_agenda_makes_a_new_pack(
    client, pack_meeting, officer, settings, django_capture_on_commit_callbacks
):
    url = reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk])
    client.get(url)
    build_queued()
    old = Pack.objects.get(meeting=pack_meeting)
    first = client.get(url)
    etag = first["ETag"]
    old_file = settings.MEDIA_ROOT / old.file.name
    assert old_file.exists()

    # An exempt item's change leaves the public pack (and its ETag) alone.
    exempt = pack_meeting.items.get(exempt=True)
    services.agenda_item_update(item=exempt, by=officer, summary="SECRET-SUMMARY")
    assert client.get(url)["ETag"] == etag

    item = pack_meeting.items.get(exempt=False)
    services.paper_add(
        item=item, by=officer, file=paper_file("late.txt", "LATE-PAPER"), title="Late paper"
    )
    pending = client.get(url)
    assert pending.status_code == 202
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes after commit
        assert build_queued() == ["built"]
    fresh = client.get(url)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert "LATE-PAPER" in "\n".join(page_texts(read(fresh)))
    assert not Pack.objects.filter(pk=old.pk).exists() and not old_file.exists()

    # Moving an item changes the pack too.
    services.agenda_item_move(item=item, by=officer, up=False)
    assert client.get(url).status_code == 202


def test_a_build_for_an_agenda_that_changed_since_is_dropped(client, pack_meeting, officer):
    client.get(reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk]))
    item = pack_meeting.items.get(exempt=False)
    services.agenda_item_update(item=item, by=officer, title="Renamed item")
    assert build_queued() == ["stale"]
    assert not Pack.objects.exists()


def test_a_failed_build_is_said_and_tried_again_later(
    client, pack_meeting, monkeypatch, time_machine
):
    def broken(*args, **kwargs):
        raise RuntimeError("the fonts are missing")

    monkeypatch.setattr(packs, "_render", broken)
    url = reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk])
    client.get(url)
    assert build_queued() == ["failed"]
    response = client.get(url)
    assert response.status_code == 503 and "could not be made" in response.content.decode()
    assert not DBTaskResult.objects.exists()  # not straight away
    time_machine.shift(packs.RETRY_AFTER * 2)
    monkeypatch.undo()
    assert client.get(url).status_code == 202
    assert build_queued() == ["built"]
    assert client.get(url).status_code == 200


def test_meeting_page_offers_the_pack_once_built(client, pack_meeting, officer):
    page = client.get(pack_meeting.get_absolute_url()).content.decode()
    assert "The PDF of the agenda pack is being prepared" in page
    build_queued()
    page = client.get(pack_meeting.get_absolute_url()).content.decode()
    pack = Pack.objects.get(meeting=pack_meeting)
    assert re.search(r"Download the agenda pack \(PDF, \d+ pages, [\d.]+\xa0KB\)", page)
    assert f"{pack.pages} pages" in page
    assert reverse("protocols:meeting-pack-pdf", args=[pack_meeting.pk]) in page
    assert "members&#x27; pack" not in page and "members' pack" not in page
    client.force_login(officer)
    page = client.get(pack_meeting.get_absolute_url()).content.decode()
    assert "members&#x27; pack (with exempt items) is being prepared" in page


def test_unpublished_agenda_has_no_public_pack(client, make_meeting, officer, member):
    meeting = make_meeting(title="Draft agenda")
    services.agenda_item_add(meeting=meeting, by=officer, title="Draft item")
    assert client.get(reverse("protocols:meeting-pack-pdf", args=[meeting.pk])).status_code == 404
    client.force_login(member)
    url = reverse("protocols:meeting-pack-members-pdf", args=[meeting.pk])
    assert client.get(url).status_code == 202
    build_queued()
    text = "\n".join(page_texts(read(client.get(url))))
    assert "Not published yet: for members only" in text and "Draft item" in text


@pytest.mark.parametrize("n", [1, 6])
def test_meeting_page_with_packs_has_fixed_query_counts(
    client, make_meeting, officer, django_assert_max_num_queries, n
):
    meeting = make_meeting()
    for i in range(n):
        item = services.agenda_item_add(meeting=meeting, by=officer, title=f"Item {i}")
        services.paper_add(item=item, by=officer, file=paper_file())
    services.meeting_publish_agenda(meeting=meeting, by=officer)
    client.force_login(officer)
    with django_assert_max_num_queries(22):  # asking for both packs: rows and queued tasks
        assert client.get(meeting.get_absolute_url()).status_code == 200
    build_queued()
    with django_assert_max_num_queries(16):
        assert client.get(meeting.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        url = reverse("protocols:meeting-pack-members-pdf", args=[meeting.pk])
        assert client.get(url).status_code == 200


# --- The approved minutes as a PDF ------------------------------------------------------------


def read_bytes(response) -> pypdf.PdfReader:
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(response.content))


@pytest.mark.parametrize("target", ["draft", "circulated"])
def test_minutes_pdf_is_404_before_approval(client, area, osc_officer, target):
    from tests.protocols.builders import build_minutes

    built = build_minutes(area, osc_officer, target=target)
    url = reverse("protocols:minutes-pdf", args=[built.october.pk])
    assert client.get(url).status_code == 404  # the public: no minutes at all
    client.force_login(osc_officer)
    assert client.get(url).status_code == 404  # staff: not approved yet
    page = client.get(built.october.get_absolute_url()).content.decode()
    assert url not in page


def test_approved_minutes_pdf_for_staff_then_public_without_exempt(client, area, osc_officer):
    from tests.protocols.builders import build_minutes

    built = build_minutes(area, osc_officer, target="approved")
    url = reverse("protocols:minutes-pdf", args=[built.october.pk])
    assert client.get(url).status_code == 404  # approved, not yet published: staff only
    client.force_login(osc_officer)
    assert url in client.get(built.october.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert "hosc-october-2026-10-06-minutes.pdf" in response["Content-Disposition"]
    reader = read_bytes(response)
    assert reader.metadata.title == "Minutes: HOSC October, 6 October 2026"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged
    staff_text = " ".join(p.extract_text() for p in reader.pages)
    assert "EXEMPT-TITLE" in staff_text and "EXEMPT-DECLARATION" in staff_text
    assert "Approved as a correct record at HOSC November" in staff_text
    client.logout()

    from protocols import services as protocol_services

    protocol_services.minutes_publish(minutes=built.minutes, by=osc_officer)
    assert url in client.get(built.october.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    text = " ".join(p.extract_text() for p in read_bytes(response).pages)
    assert "DECISION-1" in text and "DECISION-2" in text
    assert "EXEMPT-TITLE" not in text and "DECISION-3" not in text
    assert "EXEMPT-DECLARATION" not in text
    assert "1 exempt item" in text
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
