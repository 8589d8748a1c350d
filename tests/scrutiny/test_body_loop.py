"""The loop with a health body, finished: a responder corrects an answer on the web, the first
view of an item by the body is recorded once, the whole conversation is on the body's item page,
progress updates carry evidence (public only once an officer publishes it), and every `/body/`
page is in the isolation matrix."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import inbox, services
from scrutiny.casework.models import ImplementationEvidence, ProviderResponse
from scrutiny.casework.publication import topic_publish
from tests.factories import agree_recommendations
from tests.workflows.deadline_helpers import SCORES, people
from workflows.audit import EventType, event_history, log_event
from workflows.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(area):
    return people(area)


def _topic(area, who, title="Stroke services"):
    topic = services.topic_raise(
        by=who.osc_officer,
        title=title,
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.committee,
    )
    topic = services.topic_prioritise(topic=topic, by=who.osc_officer, scores=SCORES)
    return services.topic_request_information(topic=topic, by=who.osc_officer)


def _ask(area, who, question="How many beds?", recipient=None, topic=None, on=None):
    topic = topic or _topic(area, who, title=f"About {question}")
    req = services.information_request_draft(
        topic=topic, by=who.osc_officer, recipient=recipient or area.trust, question=question
    )
    return services.information_request_issue(request=req, by=who.osc_officer, on=on)


def _answered(area, who, question="How many beds?"):
    req = _ask(area, who, question)
    services.provider_response_record(
        subject=req, by=who.responder, channel="web", text="40 beds.", outcome="answered"
    )
    req.refresh_from_db()
    return req


def _pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


def _accepted(area, who):
    topic = _topic(area, who, title="Second ward")
    rec = services.recommendation_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, text="Open a second ward."
    )
    agree_recommendations(topic)
    rec = services.recommendation_issue(recommendation=rec, by=who.osc_officer)
    target = dt.date.today() + dt.timedelta(days=90)
    services.provider_response_record(
        subject=rec,
        by=who.responder,
        channel="web",
        text="Agreed.",
        outcome="accepted",
        action_plan=[{"action": "Open the ward", "owner": "COO", "target_date": target}],
    )
    rec.refresh_from_db()
    return rec


# --- 1. Correcting an answer on the web ---------------------------------------------------------


def test_a_responder_corrects_an_answer_with_a_reason_shown_everywhere(client, area, who):
    req = _answered(area, who)
    first = req.responses.get()
    client.force_login(who.responder)
    page = client.get(f"/body/requests/{req.pk}/").content.decode()
    assert f"/body/requests/{req.pk}/correct/" in page and "Correct this answer" in page
    url = f"/body/requests/{req.pk}/correct/"
    form = client.get(url)
    assert form.status_code == 200 and "40 beds." in form.content.decode()  # what it corrects
    # The reason is required; what was typed stays.
    bad = client.post(url, {"outcome": "answered", "text": "42 beds."})
    assert bad.status_code == 400
    assert "Say why you are correcting the answer." in bad.content.decode()
    assert "42 beds." in bad.content.decode()
    response = client.post(
        url, {"outcome": "answered", "text": "42 beds.", "correction_reason": "Two reopened."}
    )
    assert response["Location"] == f"/body/requests/{req.pk}/correct/check/"
    check = client.get(response["Location"]).content.decode()
    assert "Check your correction" in check and "Two reopened." in check
    assert req.responses.count() == 1  # nothing recorded before it is sent
    done = client.post(response["Location"])
    assert done["Location"] == f"/body/requests/{req.pk}/correct/done/"
    assert "Correction sent" in client.get(done["Location"]).content.decode()
    correction = ProviderResponse.objects.get(supersedes=first)
    assert correction.text == "42 beds." and correction.correction_reason == "Two reopened."
    assert correction.channel == "web" and correction.submitted_by == who.responder
    # Shown with its reason: the responder's page, the staff topic page, the public page.
    mine = client.get(f"/body/requests/{req.pk}/").content.decode()
    assert "Corrected answer" in mine and "Two reopened." in mine and "40 beds." in mine
    client.force_login(who.osc_officer)
    staff = client.get(f"/topics/{req.topic_id}/").content.decode()
    assert "Two reopened." in staff and "42 beds." in staff
    topic_publish(topic=req.topic, by=who.osc_officer)
    client.logout()
    public = client.get(f"/outcomes/{req.topic_id}/").content.decode()
    assert "Two reopened." in public and "42 beds." in public
    assert "40 beds." not in public  # the superseded words leave the public record


def test_a_correction_overtaken_by_a_colleagues_is_a_conflict(client, area, who):
    req = _answered(area, who)
    client.force_login(who.responder)
    url = f"/body/requests/{req.pk}/correct/"
    client.post(url, {"outcome": "answered", "text": "41", "correction_reason": "Recount"})
    # Meanwhile a colleague (here through the API service) corrects the same answer.
    services.provider_response_record(
        subject=req,
        by=who.responder,
        channel="api",
        text="43",
        outcome="answered",
        supersedes=req.responses.get(),
        correction_reason="Recount by the ward",
    )
    sent = client.post(f"{url}check/")
    assert sent.status_code == 409
    assert "has changed since you started" in sent.content.decode()
    assert req.responses.count() == 2  # nothing recorded twice


def test_an_answer_to_an_item_withdrawn_meanwhile_is_a_conflict(client, area, who):
    req = _ask(area, who)
    client.force_login(who.responder)
    url = f"/body/requests/{req.pk}/answer/"
    assert client.post(url, {"outcome": "answered", "text": "40"}).status_code == 302
    services.information_request_withdraw(request=req, by=who.osc_officer, reason="Duplicate")
    sent = client.post(f"{url}check/")
    assert sent.status_code == 409
    assert not req.responses.exists()
    # Nor can a withdrawn item's (absent) answer be corrected.
    assert client.get(f"/body/requests/{req.pk}/correct/").status_code == 409


def test_an_unanswered_item_has_nothing_to_correct(client, area, who):
    req = _ask(area, who)
    client.force_login(who.responder)
    assert "Correct this answer" not in client.get(f"/body/requests/{req.pk}/").content.decode()
    assert client.get(f"/body/requests/{req.pk}/correct/").status_code == 409


# --- 2. First viewed by the body ---------------------------------------------------------------


def req_notices(item):
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
    )


def _writes(query):
    return query["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")


def test_a_first_view_that_cannot_be_written_still_shows_the_page(client, area, who):
    req = _ask(area, who)
    client.force_login(who.responder)
    with mock.patch.object(inbox, "log_event", side_effect=DatabaseError("read-only")):
        assert client.get(f"/body/requests/{req.pk}/").status_code == 200
    req.refresh_from_db()
    assert req.first_viewed_at is None  # rolled back whole; the next view records it
    client.get(f"/body/requests/{req.pk}/")
    req.refresh_from_db()
    assert req.first_viewed_at is not None and len(_views(req)) == 1


def _views(item):
    return [e for e in event_history(item) if e.event_type == EventType.ITEM_FIRST_VIEWED]


def test_the_first_view_by_a_responder_is_recorded_once(client, area, who, django_user_model):
    req = _ask(area, who)
    # Staff and the public never count as the body opening it.
    client.force_login(who.osc_officer)
    client.get(f"/topics/{req.topic_id}/")
    assert client.get(f"/body/requests/{req.pk}/").status_code == 404
    client.logout()
    client.get(f"/body/requests/{req.pk}/")
    req.refresh_from_db()
    assert req.first_viewed_at is None and _views(req) == []
    client.force_login(who.responder)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/body/requests/{req.pk}/").status_code == 200
    # The one write of the first view: the item's first_viewed_at and its audit event.
    assert [q["sql"].split()[0:3] for q in ctx.captured_queries if _writes(q)] == [
        ["UPDATE", '"scrutiny_informationrequest"', "SET"],
        ["INSERT", "INTO", '"workflows_auditevent"'],
    ]
    req.refresh_from_db()
    first = req.first_viewed_at
    assert first is not None
    (event,) = _views(req)
    assert event.actor == who.responder
    # Later views, by the same person or a colleague, write nothing.
    colleague = django_user_model.objects.create(username="trust-colleague")
    services.membership_add(user=colleague, organisation=area.trust, role="responder")
    client.get(f"/body/requests/{req.pk}/")
    client.force_login(colleague)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/body/requests/{req.pk}/")
    assert not [q for q in ctx.captured_queries if _writes(q)]
    req.refresh_from_db()
    assert req.first_viewed_at == first and len(_views(req)) == 1
    # The officer sees it on the Told row and in the dashboard's loop columns.
    client.force_login(who.osc_officer)
    told = client.get(f"/topics/{req.topic_id}/").content.decode()
    assert f"First viewed by {area.trust}" in told
    assert "Not yet opened" not in told


def _dashboard_row(client, question):
    page = client.get("/work/").content.decode()
    row = page[page.index(question) :]
    return row[: row.index("</tr>")]


def test_the_dashboard_shows_the_loop_of_each_ask(client, area, who):
    req = _ask(area, who, "Overdue beds?", on=dt.date.today() - dt.timedelta(days=60))
    sent = req_notices(req).filter(kind="ask_issued").count()
    assert sent >= 1
    client.force_login(who.osc_officer)
    row = _dashboard_row(client, "Overdue beds?")
    assert f'data-loop="sent">{sent}<' in row
    assert 'data-loop="first-viewed">Not yet<' in row
    assert 'data-loop="answered">Not yet<' in row
    client.force_login(who.responder)
    client.get(f"/body/requests/{req.pk}/")
    client.force_login(who.osc_officer)
    row = _dashboard_row(client, "Overdue beds?")
    assert f'data-loop="first-viewed">{dt.date.today():%-d %b %Y}<' in row


# --- 3. The whole conversation -----------------------------------------------------------------


def test_the_item_page_holds_the_whole_conversation_and_no_internal_note(client, area, who):
    req = _answered(area, who)
    log_event(req, EventType.INFORMATION_REQUEST_EDITED, by=who.osc_officer, note="Internal only")
    client.force_login(who.osc_officer)
    note_url = f"/requests/{req.pk}/note/"
    assert note_url in client.get(f"/topics/{req.topic_id}/").content.decode()
    empty = client.post(note_url, {"text": "  "})
    assert empty.status_code == 400 and "Enter the note." in empty.content.decode()
    assert client.post(note_url, {"text": "Please add the winter figures."}).status_code == 302
    client.force_login(who.responder)
    assert client.get(note_url).status_code in (403, 404)  # a responder writes no notes
    page = client.get(f"/body/requests/{req.pk}/").content.decode()
    asked = page.index("Asked by")
    notice = page.index("Notice of a request or recommendation")
    answer = page.index("40 beds.")
    note = page.index("Please add the winter figures.")
    assert asked < answer < note and notice < answer
    assert who.responder.email in page  # to whom the notice went
    assert "Internal only" not in page


def test_the_item_page_runs_a_fixed_number_of_queries(client, area, who):
    req = _answered(area, who)
    client.force_login(who.responder)
    client.get(f"/body/requests/{req.pk}/")  # the first view writes; count the later ones

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/body/requests/{req.pk}/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(4):
        services.item_note_to_body(item=req, by=who.osc_officer, text=f"Note {n}")
        current = services.response_current(req)
        services.provider_response_record(
            subject=req,
            by=who.responder,
            channel="web",
            text=f"{41 + n} beds",
            outcome="answered",
            supersedes=current,
            correction_reason=f"Recount {n}",
            attachments=[_pdf(f"count-{n}.pdf")],
        )
    assert count() == small


# --- 4. Evidence on progress updates -----------------------------------------------------------


def test_a_responder_attaches_evidence_kept_from_the_public_until_published(
    client, area, who, django_capture_on_commit_callbacks
):
    rec = _accepted(area, who)
    client.force_login(who.responder)
    url = f"/body/recommendations/{rec.pk}/progress/"
    bad = client.post(
        url,
        {
            "action": "",
            "status": "on_track",
            "note": "Nurses hired",
            "evidence": SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert bad.status_code == 400
    assert "virus.exe" in bad.content.decode() and "Nurses hired" in bad.content.decode()
    assert not rec.implementation_updates.exists()
    done = client.post(
        url, {"action": "", "status": "on_track", "note": "Nurses hired", "evidence": _pdf()}
    )
    assert done.status_code == 302
    (evidence,) = ImplementationEvidence.objects.filter(update__recommendation=rec)
    assert evidence.original_name == "plan.pdf" and evidence.published_at is None
    assert "plan.pdf" in client.get(f"/body/recommendations/{rec.pk}/").content.decode()
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 200  # the body's own
    # The officer sees it unpublished; residents see nothing of it.
    client.force_login(who.osc_officer)
    staff = client.get(f"/topics/{rec.topic_id}/").content.decode()
    assert "plan.pdf" in staff and "Not published" in staff
    topic_publish(topic=rec.topic, by=who.osc_officer)
    client.logout()
    assert "plan.pdf" not in client.get(f"/outcomes/{rec.topic_id}/").content.decode()
    assert client.get(f"/outcomes/evidence/{evidence.pk}/").status_code == 404
    client.force_login(who.responder)
    assert client.post(f"/evidence/{evidence.pk}/publish/").status_code in (403, 404)
    client.force_login(who.osc_officer)
    with django_capture_on_commit_callbacks(execute=True):  # the public cache is bumped
        assert client.post(f"/evidence/{evidence.pk}/publish/").status_code == 302
    evidence.refresh_from_db()
    assert evidence.published_at is not None and evidence.published_by == who.osc_officer
    assert AuditEvent.objects.filter(event_type=EventType.IMPLEMENTATION_EVIDENCE_PUBLISHED).count()
    again = client.post(f"/evidence/{evidence.pk}/publish/")
    assert again.status_code == 409
    client.logout()
    assert "plan.pdf" in client.get(f"/outcomes/{rec.topic_id}/").content.decode()
    assert client.get(f"/outcomes/evidence/{evidence.pk}/").status_code == 200


def test_an_officer_records_a_letter_with_evidence(client, area, who):
    rec = _accepted(area, who)
    client.force_login(who.osc_officer)
    response = client.post(
        f"/recommendations/{rec.pk}/progress/",
        {"action": "", "status": "on_track", "channel": "letter", "evidence": _pdf("letter.pdf")},
    )
    assert response.status_code == 302
    (update,) = rec.implementation_updates.all()
    assert update.channel == "letter"
    assert [e.original_name for e in update.evidence.all()] == ["letter.pdf"]


# --- 7. The isolation matrix of every /body/ page ----------------------------------------------


def _body_urls(req, answered, rec):
    urls = []
    for kinds, item in (("requests", req), ("requests", answered), ("recommendations", rec)):
        base = f"/body/{kinds}/{item.pk}/"
        urls += [base, *(f"{base}{step}" for step in ("answer/", "answer/check/", "answer/done/"))]
        urls += [f"{base}{step}" for step in ("correct/", "correct/check/", "correct/done/")]
    return [*urls, f"/body/recommendations/{rec.pk}/progress/"]


@pytest.fixture
def matrix(area, who):
    req = _ask(area, who, "Open question?")
    answered = _answered(area, who, "Answered question?")
    rec = _accepted(area, who)
    services.recommendation_update_implementation(
        recommendation=rec, by=who.responder, status="on_track", evidence=[_pdf()]
    )
    return req, answered, rec


@pytest.mark.parametrize("actor", ["other_responder", "other_officer", "osc_officer"])
def test_no_other_body_and_no_staff_reach_a_bodys_pages(client, who, matrix, actor):
    client.force_login(getattr(who, actor))
    for url in _body_urls(*matrix):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url


def test_anonymous_visitors_are_sent_to_sign_in(client, matrix):
    for url in _body_urls(*matrix):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_bodys_own_responder_reaches_each_page(client, who, matrix):
    client.force_login(who.responder)
    statuses = {url: client.get(url).status_code for url in _body_urls(*matrix)}
    # Each answers (200, a redirect to the start of a journey, or a 409 saying why not).
    assert set(statuses.values()) <= {200, 302, 409}
    req, answered, rec = matrix
    assert statuses[f"/body/requests/{req.pk}/"] == 200
    assert statuses[f"/body/requests/{answered.pk}/correct/"] == 200


def test_staff_of_an_unrelated_area_reach_no_evidence_nor_notes(client, who, matrix):
    req, answered, rec = matrix
    evidence = ImplementationEvidence.objects.get(update__recommendation=rec)
    client.force_login(who.other_officer)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404
    assert client.post(f"/evidence/{evidence.pk}/publish/").status_code == 404
    assert client.get(f"/requests/{req.pk}/note/").status_code == 404
    assert client.post(f"/recommendations/{rec.pk}/note/", {"text": "x"}).status_code == 404
    client.force_login(who.other_responder)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404


def test_a_responder_corrects_a_response_to_a_recommendation_with_a_new_plan(client, area, who):
    rec = _accepted(area, who)
    client.force_login(who.responder)
    url = f"/body/recommendations/{rec.pk}/correct/"
    target = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        url,
        {
            "correction_reason": "The board met",
            "outcome": "partially_accepted",
            "text": "We accept the first part.",
            "rows": "1",
            "action_1": "Recruit nurses",
            "owner_1": "Director of Nursing",
            "target_1": target,
        },
    )
    assert response.status_code == 302
    assert client.post(response["Location"]).status_code == 302
    rec.refresh_from_db()
    assert rec.outcome == "partially_accepted"
    current = services.response_current(rec)
    assert current.correction_reason == "The board met"
    assert [a.action for a in current.action_plan.all()] == ["Recruit nurses"]
