"""`/search/` for residents: every published kind, facets, snippets, paging, papers' text, and
nothing that is not public (docs/decisions/0033-search-everything.md)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protocols import services as meetings
from protocols.paper_text import extract_text
from scrutiny.casework import search, services
from scrutiny.casework.models import SearchEntry, SearchKind
from scrutiny.casework.publication import entries_published
from tests.factories import consultation_minuted, consultation_recorded, visit_build
from tests.public.builders import build_topic

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><body><h1>Board paper</h1><p>{text}</p></body></html>").write_pdf()


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Report to the committee")
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str):
    return SimpleUploadedFile(name, data, content_type=content_type)


def meeting_with(area, officer, *, topic=None, papers=(), exempt=False, publish=True, title="Item"):
    """A joint meeting next month with one item (on `topic`) and these papers; published."""
    meeting = meetings.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Joint health scrutiny",
        date=dt.date.today() + dt.timedelta(days=40),
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )
    extra = (
        {"exempt": True, "exempt_paragraph": 3, "public_interest_reason": "Commercial terms."}
        if exempt
        else {}
    )
    item = meetings.agenda_item_add(meeting=meeting, by=officer, title=title, topic=topic, **extra)
    made = [meetings.paper_add(item=item, by=officer, file=f, title=t) for t, f in papers]
    if publish:
        meetings.meeting_publish_agenda(meeting=meeting, by=officer)
    return meeting, item, made


def page(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_phrase_only_in_a_response_finds_its_topic(client, area, officer, responder):
    topic = build_topic(area, officer, responder, answer="Thrombolysis within the golden hour")
    build_topic(area, officer, responder, title="Eye clinic", answer="Cataract lists")
    html = page(client, q="thrombolysis")
    assert "1 result" in html
    assert "Response from Northby Hospitals NHS Trust" in html
    assert f'href="/outcomes/{topic.pk}/"' in html
    assert "<mark>Thrombolysis</mark>" in html


def test_a_phrase_only_in_a_pdf_paper_finds_the_paper_and_its_topic(
    client, area, officer, responder
):
    topic = build_topic(area, officer, responder, title="Kidney care")
    pdf = upload("capacity.pdf", pdf_bytes("Haemodialysis capacity modelling"), "application/pdf")
    _, _, (paper,) = meeting_with(area, officer, topic=topic, papers=[("Board paper", pdf)])
    html = page(client, q="haemodialysis modelling")
    assert "Meeting paper" in html
    assert f'href="/papers/{paper.pk}/"' in html
    assert f'About <a class="govuk-link" href="/outcomes/{topic.pk}/">Kidney care</a>' in html
    # …and the topic search of /outcomes/ is unchanged: only casework entries find topics there.
    assert client.get(f"/papers/{paper.pk}/").status_code == 200


def test_word_and_plain_text_papers_are_read_and_an_unreadable_one_is_only_logged(
    client, area, officer, caplog
):
    word = upload("plan.docx", docx_bytes("Phlebotomy outreach in villages"), DOCX)
    plain = upload("note.txt", b"Audiology waiting list", "text/plain")
    broken = upload("broken.pdf", b"%PDF-1.4\nnot really a pdf", "application/pdf")
    with caplog.at_level(logging.WARNING, logger="protocols.paper_text"):
        _, _, (w, p, b) = meeting_with(
            area,
            officer,
            papers=[("Outreach plan", word), ("Audiology note", plain), ("Broken scan", broken)],
        )
    assert (
        "Phlebotomy outreach" in SearchEntry.objects.get(kind=SearchKind.PAPER, object_id=w.pk).text
    )
    assert "phlebotomy" in page(client, q="phlebotomy").lower()
    assert f'href="/papers/{p.pk}/"' in page(client, q="audiology")
    # The broken file is uploaded and found by its title; why its text is missing is logged.
    assert f'href="/papers/{b.pk}/"' in page(client, q="broken scan")
    assert any("No text extracted" in r.getMessage() for r in caplog.records)


def test_extraction_is_bounded():
    from protocols import paper_text

    text = extract_text(("word " * 50_000).encode(), "text/plain")
    assert len(text) == paper_text.MAX_CHARS
    assert extract_text(b"\x89PNG", "image/png") == ""


def test_nothing_unpublished_exempt_or_private_is_found(client, area, officer, responder):
    # An unpublished topic's response; an exempt paper; a draft agenda's item; draft minutes.
    build_topic(area, officer, responder, answer="Zygomycosis outbreak figures", publish=False)
    secret = upload("secret.txt", b"Quixotic tender pricing", "text/plain")
    meeting_with(area, officer, papers=[("Contract", secret)], exempt=True, title="Contract award")
    meeting_with(area, officer, publish=False, title="Unpublished agenda xylophone")
    for words in ("zygomycosis", "quixotic tender", "xylophone", "contract award"):
        html = page(client, q=words)
        assert "0 results" in html, words
        assert not entries_published().filter(text__icontains=words.split()[0]).exists()
    # The same words are indexed: staff of those bodies find them (tests/scrutiny).
    assert SearchEntry.objects.filter(text__icontains="zygomycosis").exists()
    assert SearchEntry.objects.filter(text__icontains="quixotic").exists()


def test_minutes_are_found_once_published_and_never_an_exempt_decision(
    client, area, officer, osc_officer
):
    held = meetings.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Joint meeting",
        date=dt.date.today() - dt.timedelta(days=20),
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )
    open_item = meetings.agenda_item_add(meeting=held, by=officer, title="Winter plan")
    shut_item = meetings.agenda_item_add(
        meeting=held,
        by=officer,
        title="Contract",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms.",
    )
    meetings.meeting_publish_agenda(
        meeting=held, by=officer, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    )
    meetings.meeting_mark_held(meeting=held, by=officer)
    meetings.item_record_decision(item=open_item, by=officer, decision="Resolved: gritting rota")
    meetings.item_record_decision(item=shut_item, by=officer, decision="Resolved: vendor Zenith")
    minutes = meetings.minutes_draft(meeting=held, by=officer, introduction="Quorate")
    assert "0 results" in page(client, q="gritting")  # draft minutes are not public
    later = meetings.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Next",
        date=dt.date.today() - dt.timedelta(days=5),
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )
    approving = meetings.agenda_item_add(meeting=later, by=officer, title="Minutes")
    meetings.meeting_publish_agenda(
        meeting=later, by=officer, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    )
    meetings.meeting_mark_held(meeting=later, by=officer)
    meetings.minutes_circulate(minutes=minutes, by=officer)
    approving.refresh_from_db()
    approving.meeting.refresh_from_db()  # now held
    meetings.minutes_approve(minutes=minutes, by=officer, item=approving)
    meetings.minutes_publish(minutes=minutes, by=officer)
    html = page(client, q="gritting")
    assert f'href="/meetings/{held.pk}/minutes/"' in html
    assert "0 results" in page(client, q="zenith")  # the exempt item's decision


def test_visit_reports_and_consultations_are_found_once_public(client, area, officer, osc_officer):
    planned = visit_build(area, officer, state="carried_out", recommendation=False)
    assert "0 results" in page(client, q="twelve patients")
    services.safeguarding_concern_record(
        visit=planned,
        by=officer,
        raised_by="Ann Visitor",
        found_on=planned.carried_out_on,
        description="Bruising noticed on a resident",
        referred_to="Council safeguarding team",
        referred_on=planned.carried_out_on,
    )
    published = visit_build(area, officer, state="published", recommendation=False)
    html = page(client, q="twelve patients")
    assert f'href="/enter-and-view/{published.pk}/"' in html
    assert f'href="/enter-and-view/{planned.pk}/"' not in html
    # Safeguarding concerns and accuracy comments are never in any entry.
    assert not SearchEntry.objects.filter(text__icontains="bruising").exists()
    assert not SearchEntry.objects.filter(text__icontains="24 beds").exists()

    received = consultation_recorded(
        by=osc_officer, body=area.trust, committee=area.committee, title="Maternity move"
    )
    assert "0 results" in page(client, q="maternity")
    consultation_minuted(by=osc_officer, consultation=received)
    html = page(client, q="maternity")
    assert f'href="/service-changes/{received.pk}/"' in html
    assert "Service-change consultation" in html


def test_facets_count_and_narrow(client, area, officer, responder):
    topic = build_topic(area, officer, responder, answer="Orthoptics review", title="Eyes")
    note = upload("note.txt", b"Orthoptics staffing paper", "text/plain")
    meeting_with(area, officer, topic=topic, papers=[("Orthoptics", note)])
    entries = search.entries_matching("orthoptics", entries_published())
    counts = search.facet_counts(entries, {})
    types = {value: n for value, _, n in counts["type"]}
    # the response, the paper (title and text); its agenda item is titled "Item"
    assert types == {SearchKind.RESPONSE: 1, SearchKind.PAPER: 1}
    assert counts["area"] == [(area.partnership.pk, "Northby", 2)]
    assert counts["body"] == [(area.trust.pk, area.trust.name, 1)]
    assert counts["state"] == [("concluded", None, 2)]  # both are about the concluded topic
    html = page(client, q="orthoptics", type="paper")
    assert "1 result" in html
    assert "Remove" in html
    # The type facet is counted under the other filters, so the response can still be chosen.
    assert "Response <span" in html
    # A bad filter is reported, not a 500, and the search still runs.
    bad = client.get("/search/", {"q": "orthoptics", "year": "soon"})
    assert bad.status_code == 200
    assert "Enter a whole number" in bad.content.decode()
    assert "2 results" in bad.content.decode()


def test_snippets_escape_the_text_and_mark_the_words(client, area, officer, responder):
    answer = 'Tinnitus clinic <script>alert(1)</script> waits & "delays"'
    build_topic(area, officer, responder, answer=answer)
    html = page(client, q="tinnitus")
    assert "<script>alert(1)" not in html
    (snippet,) = re.findall(r'<p class="[^"]*cf-snippet">(.*?)</p>', html)
    assert snippet.startswith("<mark>Tinnitus</mark> clinic")
    assert "waits &amp; &quot;delays" in snippet  # the words, escaped
    if connection.vendor == "postgresql":
        # ts_headline's parser reads <script> as a tag and leaves it out of the extract.
        assert "script" not in snippet
    else:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet


def test_results_are_paged(client, area, officer, responder, monkeypatch):
    from scrutiny.web import search as view

    for i in range(3):
        build_topic(area, officer, responder, title=f"Podiatry {i}", answer="Podiatry clinics")
    monkeypatch.setattr(view, "PAGE_SIZE", 4)
    first, second = page(client, q="podiatry"), page(client, q="podiatry", page=2)
    assert "6 results" in first  # 3 topics and their 3 responses
    assert first.count('<p class="govuk-caption-s') == 4
    assert second.count('<p class="govuk-caption-s') == 2
    assert 'aria-label="Page 2"' in first


def test_query_count_does_not_grow_with_the_results(client, area, officer, responder):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            page(client, q="haematology")
        return len(ctx.captured_queries)

    build_topic(area, officer, responder, answer="Haematology", title="Blood 1")
    one = count()
    for i in range(4):
        build_topic(area, officer, responder, answer="Haematology", title=f"Blood {i + 2}")
    meeting_with(area, officer, papers=[("Haematology", upload("h.txt", b"x", "text/plain"))])
    from django.core.cache import cache

    cache.clear()
    assert count() == one
    assert one <= 10


def test_reindex_rebuilds_every_kind(client, area, officer, responder, osc_officer):
    topic = build_topic(area, officer, responder)
    meeting_with(
        area, officer, topic=topic, papers=[("P", upload("p.txt", b"Sepsis", "text/plain"))]
    )
    visit_build(area, officer, state="published", recommendation=False)
    consultation_minuted(
        by=osc_officer,
        consultation=consultation_recorded(
            by=osc_officer, body=area.trust, committee=area.committee
        ),
    )
    fields = ("kind", "object_id", "public", "title", "text", "topic_id", "meeting_id", "year")
    kept = sorted(SearchEntry.objects.values_list(*fields))
    assert {k for k, *_ in kept} == set(SearchKind.values) - {SearchKind.MINUTES}
    SearchEntry.objects.all().delete()
    call_command("search_reindex", "--missing", "--batch", "1")
    assert sorted(SearchEntry.objects.values_list(*fields)) == kept
    call_command("search_reindex", "--only", "papers")
    assert sorted(SearchEntry.objects.values_list(*fields)) == kept


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgres_stems_highlights_and_uses_the_stored_vectors(client, area, officer, responder):
    topic = build_topic(area, officer, responder, answer="The clinics were reorganised")
    pdf = upload("c.pdf", pdf_bytes("Two clinic closures were consulted upon"), "application/pdf")
    _, _, (paper,) = meeting_with(area, officer, topic=topic, papers=[("Closures", pdf)])
    html = page(client, q="clinic")  # stemming: clinic ~ clinics
    assert "2 results" in html
    assert "<mark>clinics</mark>" in html  # ts_headline marks the stemmed match
    assert "<mark>clinic</mark>" in html
    sql = str(search.entries_search(entries_published(), "clinic").query)
    assert "to_tsvector" not in sql
    phrase = page(client, q='"clinic closures"')  # a phrase: the paper, not the response
    assert "1 result" in phrase
    assert f'href="/papers/{paper.pk}/"' in phrase
    assert not SearchEntry.objects.filter(vector__isnull=True).exists()


def test_done_when_a_phrase_only_in_a_response_or_a_paper_finds_its_topic(
    client, area, officer, responder
):
    """Issue 17 item 2's done-when, on both databases: a phrase found nowhere but in a provider's
    response, a published PDF paper's text or a published Word paper's text leads to its topic
    (and a paper's to its meeting); an exempt paper's phrase and an unpublished topic's response
    phrase find nothing on the public search."""
    answered = build_topic(
        area, officer, responder, title="Stroke", answer="Mechanical thrombectomy rota"
    )
    kidneys = build_topic(area, officer, responder, title="Kidney care")
    hearing = build_topic(area, officer, responder, title="Hearing services")
    hidden = build_topic(
        area,
        officer,
        responder,
        title="Unpublished",
        answer="Ventriculostomy backlog",
        publish=False,
    )
    pdf = upload("k.pdf", pdf_bytes("Peritoneal dialysis uptake"), "application/pdf")
    meeting, _, (pdf_paper,) = meeting_with(
        area, officer, topic=kidneys, papers=[("Kidney paper", pdf)]
    )
    word = upload("h.docx", docx_bytes("Cochlear implant referrals"), DOCX)
    _, _, (word_paper,) = meeting_with(
        area, officer, topic=hearing, papers=[("Hearing paper", word)]
    )
    secret = upload("s.pdf", pdf_bytes("Lithotripsy tender margins"), "application/pdf")
    meeting_with(area, officer, topic=kidneys, papers=[("Tender", secret)], exempt=True)

    html = page(client, q='"mechanical thrombectomy"')
    assert "1 result" in html
    assert f'href="/outcomes/{answered.pk}/"' in html
    for phrase, paper, topic in (
        ('"peritoneal dialysis"', pdf_paper, kidneys),
        ('"cochlear implant"', word_paper, hearing),
    ):
        html = page(client, q=phrase)
        assert "1 result" in html, phrase
        assert f'href="/papers/{paper.pk}/"' in html
        assert f'href="/outcomes/{topic.pk}/"' in html  # its topic
        assert f'href="/meetings/{paper.item.meeting_id}/"' in html  # its meeting
    assert paper.item.meeting_id != meeting.pk  # the Word paper's own meeting, not the PDF's
    for phrase in ('"lithotripsy tender"', '"ventriculostomy backlog"'):
        assert "0 results" in page(client, q=phrase), phrase
        # …nor on /outcomes/ (the topic search), where the exempt paper's topic is published.
        outcomes = client.get("/outcomes/", {"q": phrase}).content.decode()
        assert f'href="/outcomes/{kidneys.pk}/"' not in outcomes, phrase
        assert f'href="/outcomes/{hidden.pk}/"' not in outcomes, phrase
    # Both are in the index (staff of those bodies find them), only never shown publicly.
    assert SearchEntry.objects.filter(text__icontains="lithotripsy").exists()
    assert SearchEntry.objects.filter(topic=hidden, text__icontains="ventriculostomy").exists()
