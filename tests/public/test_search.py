"""The search index: what it finds, what it never finds, its rebuild and its PostgreSQL index."""

import pytest
from django.core.management import call_command
from django.db import connection

from scrutiny.casework import search, services
from scrutiny.casework.models import TOPIC_KINDS, SearchEntry, SearchKind
from scrutiny.casework.publication import topic_unpublish, topics_published, topics_search
from tests.public.builders import build_topic


def _found(text):
    return list(topics_search(topics_published(), text))


def test_a_phrase_only_in_a_response_finds_its_topic(client, area, officer, responder):
    topic = build_topic(area, officer, responder, answer="Thrombolysis within the golden hour")
    build_topic(area, officer, responder, title="Eye clinic", answer="Cataract lists")
    assert _found("thrombolysis golden") == [topic]
    page = client.get("/outcomes/", {"q": "thrombolysis"}).content.decode()
    assert f'href="/outcomes/{topic.pk}/"' in page
    assert "1 topic" in page


def test_words_only_in_a_request_or_a_recommendation_find_their_topic(area, officer, responder):
    asked = build_topic(area, officer, responder, question="How many paramedics?")
    recommended = build_topic(
        area, officer, responder, recommendation="Publish the ambulance handover times"
    )
    assert _found("paramedics") == [asked]
    assert _found("handover") == [recommended]
    # An action plan is part of its response.
    assert set(_found("staffing")) == {asked, recommended}  # "Keep staffing" in both plans


def test_never_finds_drafts_superseded_answers_or_unpublished_topics(area, officer, responder):
    topic = build_topic(area, officer, responder, target="response_due", answer="Wrong figure")
    services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="Secret draft question"
    )
    answer = topic.requests.get(issued_on__isnull=False).responses.get()
    services.provider_response_record(
        subject=answer.information_request,
        by=responder,
        channel="api",
        text="Corrected figure",
        outcome="answered",
        supersedes=answer,
        correction_reason="Typo",
    )
    build_topic(area, officer, responder, title="Hidden", answer="Unpublished words", publish=False)
    assert _found("secret draft") == []
    assert _found("wrong") == []  # the superseded answer left the public record
    assert _found("corrected") == [topic]
    assert _found("unpublished") == []
    # Staff search (all entries) would find the draft: it is indexed, just not public.
    assert list(topics_search(topics_published(), "secret draft", public=False)) == [topic]


def test_withdrawing_publication_needs_no_reindex(area, officer, responder):
    topic = build_topic(area, officer, responder, answer="Thrombolysis")
    assert _found("thrombolysis") == [topic]
    topic_unpublish(topic=topic, by=officer, reason="Error")
    assert _found("thrombolysis") == []


def test_a_deleted_draft_leaves_the_index(area, officer, responder):
    topic = build_topic(area, officer, responder, target="information_requested")
    draft = services.information_request_draft(
        topic=topic, by=officer, recipient=area.trust, question="Another question"
    )
    assert SearchEntry.objects.filter(kind=SearchKind.INFORMATION_REQUEST, object_id=draft.pk)
    services.information_request_delete(request=draft, by=officer)
    assert not SearchEntry.objects.filter(
        kind=SearchKind.INFORMATION_REQUEST, object_id=draft.pk
    ).exists()


def test_reindex_rebuilds_what_the_services_wrote(area, officer, responder):
    build_topic(area, officer, responder, answer="Thrombolysis")
    build_topic(area, officer, responder, target="declined", reason="Outside our remit")
    kept = sorted(
        SearchEntry.objects.values_list("kind", "object_id", "public", "title", "text", "topic_id")
    )
    assert len(kept) >= 6
    SearchEntry.objects.all().delete()
    assert _found("thrombolysis") == []
    call_command("search_reindex", "--missing", "--batch", "1")
    rebuilt = sorted(
        SearchEntry.objects.values_list("kind", "object_id", "public", "title", "text", "topic_id")
    )
    assert rebuilt == kept
    assert len(_found("thrombolysis")) == 1
    assert len(_found("remit")) == 1  # a declined topic's reason is public
    call_command("search_reindex")  # a full rebuild replaces, never duplicates
    assert SearchEntry.objects.count() == len(kept)


def test_fallback_needs_every_word_in_one_entry(area, officer, responder, monkeypatch):
    monkeypatch.setattr(search, "connection", type("C", (), {"vendor": "sqlite"})())
    topic = build_topic(area, officer, responder, title="Stroke unit", answer="Forty beds")
    assert _found("stroke unit") == [topic]
    assert _found("forty BEDS") == [topic]
    assert _found("stroke forty") == []  # title and answer are different entries


def test_search_entries_carry_their_facets(area, officer, responder):
    topic = build_topic(area, officer, responder)
    rows = SearchEntry.objects.filter(topic=topic)
    assert {r.kind for r in rows} == set(TOPIC_KINDS)
    assert {r.year for r in rows} == {topic.created_at.year}
    assert {r.partnership_id for r in rows} == {area.partnership.pk}
    assert {r.health_body_id for r in rows if r.kind != SearchKind.TOPIC} == {area.trust.pk}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_migration_creates_the_gin_index_and_search_uses_stored_vectors(area, officer, responder):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'scrutiny_searchentry' "
            "AND indexname = 'search_entry_vector_gin'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (vector)" in definition
    topic = build_topic(area, officer, responder, answer="Thrombolysis within the golden hour")
    assert not SearchEntry.objects.filter(topic=topic, vector__isnull=True).exists()
    assert _found('"golden hour"') == [topic]  # a phrase, stemmed: thrombolysis
    sql = str(topics_search(topics_published(), "golden").query)
    assert "to_tsvector" not in sql  # the stored vector, not one computed per row


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_a_title_match_outranks_a_match_in_a_response(area, officer, responder):
    in_answer = build_topic(area, officer, responder, title="Beds", answer="Ambulance delays")
    in_title = build_topic(area, officer, responder, title="Ambulance delays", answer="None")
    assert _found("ambulance") == [in_title, in_answer]
