"""A responder signs in to their body's work: what it is asked, grouped, paged, and nothing
addressed to any other body (the inbox is part of the isolation matrix)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import services
from scrutiny.casework.inbox import inbox_for
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
