"""A responder signs in to their body's work: what it is asked, grouped, paged, and nothing
addressed to any other body (the inbox is part of the isolation matrix)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import services
from scrutiny.casework.inbox import inbox_for
from tests.factories import agree_recommendations
from tests.workflows.deadline_helpers import SCORES, at, people

pytestmark = pytest.mark.django_db
D = dt.date


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


def _ask(area, who, recipient, question, *, on):
    topic = _topic(area, who, title=f"About {question}")
    req = services.information_request_draft(
        topic=topic, by=who.osc_officer, recipient=recipient, question=question
    )
    return services.information_request_issue(request=req, by=who.osc_officer, on=on)


@pytest.fixture
def world(area, who):
    """The trust: one request overdue, one to answer, one answered, one draft; the other
    trust: one request to answer."""
    overdue = _ask(area, who, area.trust, "Overdue beds?", on=D(2026, 10, 1))
    fresh = _ask(area, who, area.trust, "Fresh beds?", on=D(2026, 12, 1))
    answered = _ask(area, who, area.trust, "Answered beds?", on=D(2026, 11, 20))
    services.provider_response_record(
        subject=answered, by=who.responder, channel="api", text="40", outcome="answered"
    )
    topic = _topic(area, who, title="Draft only")
    services.information_request_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, question="Draft beds?"
    )
    theirs = _ask(area, who, area.other_trust, "Their beds?", on=D(2026, 12, 1))
    return {"overdue": overdue, "fresh": fresh, "answered": answered, "theirs": theirs}


def test_the_inbox_groups_what_the_body_is_asked(area, who, world):
    box = inbox_for(who.responder, area.trust, today=D(2026, 12, 2))
    assert box.counts == {
        "overdue": 1,
        "to_answer": 1,
        "to_respond": 0,
        "updates_due": 0,
        "answered": 1,
    }
    assert box.show == "overdue"
    assert [e.obj for e in box.rows[0:25]] == [world["overdue"]]
    fresh = inbox_for(who.responder, area.trust, today=D(2026, 12, 2), show="to_answer")
    assert [e.obj for e in fresh.rows[0:25]] == [world["fresh"]]


def test_the_inbox_never_shows_another_bodys_items_or_drafts(client, area, who, world):
    client.force_login(who.responder)
    pages = [
        client.get(f"/body/?show={key}").content.decode()
        for key in ("overdue", "to_answer", "to_respond", "updates_due", "answered")
    ]
    everything = "".join(pages)
    assert "Fresh beds?" in everything and "Overdue beds?" in everything
    assert "Their beds?" not in everything
    assert "Draft beds?" not in everything
    # Asking for the other trust's inbox is refused.
    assert client.get(f"/body/?body={area.other_trust.pk}").status_code == 403
    assert client.get("/body/?body=99999999999999999999999").status_code == 403


def test_officers_and_residents_have_no_inbox(client, area, who, django_user_model):
    client.force_login(who.osc_officer)
    assert client.get("/body/").status_code == 403
    assert client.get("/body/", follow=False).status_code == 403
    client.logout()
    assert client.get("/body/").status_code == 302  # to sign in


def test_signing_in_lands_each_person_on_their_own_work(client, area, who):
    for user, where in ((who.responder, "/body/"), (who.osc_officer, "/work/")):
        client.force_login(user)
        assert client.get("/signed-in/")["Location"] == where
    client.logout()
    user = who.responder
    user.set_password("a long demo password 1")
    user.save()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": "a long demo password 1"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/body/"


def test_the_inbox_runs_a_fixed_number_of_queries(client, area, who, world):
    client.force_login(who.responder)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/body/?show=to_answer").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(6):
        _ask(area, who, area.trust, f"More beds {n}?", on=D(2026, 12, 1))
    assert count() == small


def test_a_long_group_is_paged(client, area, who):
    with time_machine.travel(at(D(2026, 12, 2)), tick=False):
        for n in range(27):
            _ask(area, who, area.trust, f"Question {n:02d}?", on=D(2026, 12, 1))
        client.force_login(who.responder)
        first = client.get("/body/?show=to_answer").content.decode()
        second = client.get("/body/?show=to_answer&page=2").content.decode()
    assert first.count("Request: Question ") == 25
    assert second.count("Request: Question ") == 2
    assert "Requests to answer (27)" in first


# --- Answering on the web ----------------------------------------------------------------------


def _pdf(name="beds.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


def test_a_responder_answers_a_request_with_a_document(client, area, who, world):
    req = world["fresh"]
    client.force_login(who.responder)
    url = f"/body/requests/{req.pk}/answer/"
    assert client.get(url).status_code == 200
    # A refusal without a ground keeps what was typed and says what is wrong.
    bad = client.post(url, {"outcome": "refused", "text": "We cannot say."})
    assert bad.status_code == 400
    assert "Choose the ground for refusing." in bad.content.decode()
    assert "We cannot say." in bad.content.decode()
    response = client.post(
        url, {"outcome": "answered", "text": "There are 40 beds.", "attachments": _pdf()}
    )
    assert response["Location"] == f"/body/requests/{req.pk}/answer/check/"
    check = client.get(response["Location"]).content.decode()
    assert "There are 40 beds." in check and "beds.pdf" in check
    assert not req.responses.exists()  # nothing is recorded before it is sent
    done = client.post(response["Location"])
    assert done["Location"] == f"/body/requests/{req.pk}/answer/done/"
    req.refresh_from_db()
    assert req.state == "answered"
    (answer,) = req.responses.all()
    assert answer.channel == "web" and answer.submitted_by == who.responder
    assert [a.original_name for a in answer.attachments.all()] == ["beds.pdf"]
    assert "Answer sent" in client.get(done["Location"]).content.decode()
    # Sending again (a second tab, a reload) is a conflict, not a second answer.
    again = client.post(f"/body/requests/{req.pk}/answer/check/")
    assert again.status_code in (302, 409)
    assert req.responses.count() == 1
    assert client.get(url).status_code == 409


def test_a_responder_responds_to_a_recommendation_with_a_three_row_action_plan(
    client, area, who, world
):
    topic = world["fresh"].topic
    rec = services.recommendation_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, text="Keep the unit open."
    )
    agree_recommendations(topic)
    rec = services.recommendation_issue(recommendation=rec, by=who.osc_officer)
    client.force_login(who.responder)
    url = f"/body/recommendations/{rec.pk}/answer/"
    data = {"outcome": "accepted", "text": "We agree.", "rows": "1"}
    target = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    for i in (1, 2, 3):
        data |= {f"action_{i}": f"Action {i}", f"owner_{i}": "COO", f"target_{i}": target}
        if i < 3:
            page = client.post(url, data | {"add_row": "1"})
            assert page.status_code == 200
            assert f'name="action_{i + 1}"' in page.content.decode()
            assert "We agree." in page.content.decode()  # what was typed stays
            # The page carries the new number of rows for the next click.
            data["rows"] = re.search(r'name="rows" value="(\d+)"', page.content.decode())[1]
            assert data["rows"] == str(i + 1)
    past = client.post(url, data | {"target_2": "2020-01-01", "continue": "1"})
    assert "Action 2: the target date cannot be in the past." in past.content.decode()
    response = client.post(url, data | {"continue": "1"})
    assert response.status_code == 302
    client.post(response["Location"])
    rec.refresh_from_db()
    assert rec.state == "responded" and rec.outcome == "accepted"
    (answer,) = rec.responses.all()
    assert [i.action for i in answer.action_plan.order_by("pk")] == [
        "Action 1",
        "Action 2",
        "Action 3",
    ]


def test_no_one_answers_another_bodys_request_or_a_draft(client, area, who, world):
    client.force_login(who.responder)
    assert client.get(f"/body/requests/{world['theirs'].pk}/answer/").status_code == 404
    client.force_login(who.osc_officer)
    assert client.get(f"/body/requests/{world['fresh'].pk}/answer/").status_code == 404
    client.force_login(who.responder)
    assert client.get(f"/body/requests/{world['answered'].pk}/answer/").status_code == 409
    assert client.get("/body/requests/99999999999999999999/answer/").status_code == 404


# --- Implementation progress -------------------------------------------------------------------


@pytest.fixture
def accepted(area, who, world):
    topic = world["fresh"].topic
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
        action_plan=[
            {"action": "Recruit nurses", "owner": "Director of Nursing", "target_date": target},
            {"action": "Open the ward", "owner": "COO", "target_date": target},
        ],
    )
    rec.refresh_from_db()
    return rec


def test_a_responder_reports_an_action_slipped(client, area, who, accepted):
    client.force_login(who.responder)
    inbox = client.get("/body/?show=updates_due").content.decode()
    assert f"/body/recommendations/{accepted.pk}/progress/" in inbox
    url = f"/body/recommendations/{accepted.pk}/progress/"
    action = accepted.responses.get().action_plan.get(action="Open the ward")
    missing = client.post(url, {"action": action.pk, "status": "slipped", "note": "Builders"})
    assert missing.status_code == 400
    assert "Enter the revised date." in missing.content.decode()
    assert "Builders" in missing.content.decode()
    revised = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    done = client.post(
        url, {"action": action.pk, "status": "slipped", "revised_date": revised, "note": "Builders"}
    )
    assert done.status_code == 302
    (update,) = accepted.implementation_updates.all()
    assert update.action == action and update.status == "slipped"
    assert update.channel == "web" and update.by == who.responder
    accepted.refresh_from_db()
    assert accepted.implementation_status == "slipped"


def test_an_officer_records_progress_that_came_by_letter(client, area, who, accepted):
    client.force_login(who.osc_officer)
    page = client.get(f"/topics/{accepted.topic_id}/").content.decode()
    url = f"/recommendations/{accepted.pk}/progress/"
    assert url in page
    response = client.post(url, {"action": "", "status": "on_track", "channel": "letter"})
    assert response.status_code == 302
    (update,) = accepted.implementation_updates.all()
    assert update.channel == "letter" and update.action is None
    # A responder cannot use the officers' page, nor an officer the responders'.
    client.force_login(who.responder)
    assert client.get(url).status_code == 403
    client.force_login(who.osc_officer)
    assert client.get(f"/body/recommendations/{accepted.pk}/progress/").status_code == 404


def test_progress_on_a_recommendation_not_accepted_is_a_conflict(client, area, who, world):
    topic = world["fresh"].topic
    rec = services.recommendation_draft(
        topic=topic, by=who.osc_officer, recipient=area.trust, text="Close it."
    )
    agree_recommendations(topic)
    rec = services.recommendation_issue(recommendation=rec, by=who.osc_officer)
    client.force_login(who.responder)
    assert client.get(f"/body/recommendations/{rec.pk}/progress/").status_code == 409
