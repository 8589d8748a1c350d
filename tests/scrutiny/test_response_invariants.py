"""A response's received date lies between its subject's issue and now, and each request or
recommendation has exactly one current answer: corrections supersede it with a reason, further
information is added beside it (docs/decisions/0015-one-current-answer.md)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import ProviderResponse, RequestState, ResponseKind, Topic
from tests.scrutiny.casework_setup import walk_to_response_due
from workflows.audit import EventType, event_history
from workflows.errors import Conflict, InvalidInput


@pytest.fixture
def issued(area, officer):
    topic = services.topic_raise(
        by=officer,
        title="Stroke services",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
    )
    _, request, _ = walk_to_response_due(topic, officer, area.trust)
    return request


def _answer(request, by, **kw):
    args = {"channel": "api", "text": "40 beds", "outcome": "answered"} | kw
    return services.provider_response_record(subject=request, by=by, **args)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_a_response_received_before_the_request_was_issued_is_refused(issued, responder):
    before = issued.issued_on - dt.timedelta(days=30)
    with pytest.raises(InvalidInput) as exc:
        _answer(issued, responder, channel="letter", received_at=_at(before))
    message = exc.value.field_errors["received_at"][0]
    assert "before the request was issued on" in message
    assert f"{issued.issued_on:%-d %b %Y}" in message
    assert not ProviderResponse.objects.exists()
    issued.refresh_from_db()
    assert issued.state == RequestState.ISSUED


def test_received_on_the_issue_day_is_accepted(issued, responder):
    start = timezone.make_aware(dt.datetime.combine(issued.issued_on, dt.time(0, 1)))
    response = _answer(issued, responder, channel="letter", received_at=start)
    assert response.on_time


def test_a_future_received_date_is_refused_whatever_the_channel(issued, responder):
    with pytest.raises(InvalidInput) as exc:
        _answer(issued, responder, received_at=timezone.now() + dt.timedelta(days=2))
    assert "future" in exc.value.field_errors["received_at"][0]


def test_a_time_within_the_clock_skew_is_recorded_as_now(issued, responder):
    response = _answer(issued, responder, received_at=timezone.now() + dt.timedelta(minutes=2))
    assert response.received_at <= response.created_at


def test_a_second_answer_without_supersedes_is_a_conflict_saying_what_to_do(issued, responder):
    first = _answer(issued, responder)
    with pytest.raises(Conflict) as exc:
        _answer(issued, responder, text="42 beds", outcome="partially_answered")
    assert "correct the answer" in exc.value.message
    assert "further information" in exc.value.message
    assert list(ProviderResponse.objects.current_answers()) == [first]
    issued.refresh_from_db()
    assert issued.state == RequestState.ANSWERED


def test_a_correction_needs_a_reason(issued, responder):
    first = _answer(issued, responder)
    with pytest.raises(InvalidInput) as exc:
        _answer(issued, responder, text="42", supersedes=first)
    assert "correction_reason" in exc.value.field_errors


def test_a_correction_supersedes_with_its_reason_and_moves_the_request(issued, responder):
    first = _answer(issued, responder)
    second = _answer(
        issued,
        responder,
        text="Some of it",
        outcome="partially_answered",
        supersedes=first,
        correction_reason="The ward figures were not ready.",
    )
    assert second.supersedes == first
    assert second.correction_reason == "The ward figures were not ready."
    assert list(ProviderResponse.objects.current_answers()) == [second]
    issued.refresh_from_db()
    assert issued.state == RequestState.PARTIALLY_ANSWERED


def test_an_answer_already_superseded_cannot_be_corrected_again(issued, responder):
    first = _answer(issued, responder)
    _answer(issued, responder, text="41", supersedes=first, correction_reason="Miscounted")
    first.refresh_from_db()
    with pytest.raises(Conflict, match="already been superseded"):
        _answer(issued, responder, text="43", supersedes=first, correction_reason="Again")
    assert ProviderResponse.objects.count() == 2


def test_further_information_keeps_both_visible_and_moves_nothing(issued, responder):
    first = _answer(issued, responder)
    extra = _answer(
        issued, responder, outcome="", text="Six are hyperacute.", kind="further_information"
    )
    assert extra.kind == ResponseKind.FURTHER_INFORMATION
    assert extra.supersedes is None
    assert list(ProviderResponse.objects.current_answers()) == [first]
    assert set(ProviderResponse.objects.current()) == {first, extra}
    issued.refresh_from_db()
    assert issued.state == RequestState.ANSWERED
    assert event_history(issued).last().event_type == (
        EventType.INFORMATION_REQUEST_FURTHER_INFORMATION
    )


def test_further_information_needs_an_answer_first_and_has_no_outcome(issued, responder):
    with pytest.raises(Conflict, match="no answer yet"):
        _answer(issued, responder, outcome="", kind="further_information")
    _answer(issued, responder)
    with pytest.raises(InvalidInput):
        _answer(issued, responder, outcome="refused", kind="further_information")


def test_the_database_refuses_a_second_current_answer(issued, responder):
    first = _answer(issued, responder)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderResponse.objects.create(
            information_request=issued,
            organisation=issued.recipient,
            channel="api",
            received_at=timezone.now(),
            text="A second first answer",
            outcome="answered",
            on_time=True,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderResponse.objects.create(
            information_request=issued,
            organisation=issued.recipient,
            channel="api",
            received_at=timezone.now(),
            text="A correction without a reason",
            outcome="answered",
            supersedes=first,
            on_time=True,
        )


def test_the_database_refuses_a_received_time_after_it_was_recorded(issued, responder):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderResponse.objects.create(
            information_request=issued,
            organisation=issued.recipient,
            channel="api",
            received_at=timezone.now() + dt.timedelta(days=1),
            text="From tomorrow",
            outcome="answered",
            on_time=True,
        )


# --- The staff form -------------------------------------------------------------------------


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


def _post(client, request, **data):
    form = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "outcome": "answered",
        "text": "By letter: 40 beds",
    } | data
    return client.post(f"/requests/{request.pk}/response/", form)


def test_the_staff_form_refuses_a_date_before_the_issue_and_keeps_what_was_typed(logged_in, issued):
    before = issued.issued_on - dt.timedelta(days=10)
    resp = _post(logged_in, issued, received_on=before.isoformat(), text="Typed text")
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "before the request was issued on" in page
    assert "Typed text" in page
    assert not ProviderResponse.objects.exists()


def test_the_staff_form_asks_whether_a_second_response_corrects_or_adds(
    logged_in, issued, responder
):
    first = _answer(issued, responder)
    resp = _post(logged_in, issued)
    assert resp.status_code == 400
    assert "corrects the answer (with a reason) or adds further information" in (
        resp.content.decode()
    )
    resp = _post(logged_in, issued, kind="correction")
    assert resp.status_code == 400
    assert "Give the reason for the correction." in resp.content.decode()
    resp = _post(logged_in, issued, kind="correction", correction_reason="Letter corrects it")
    assert resp.status_code == 302
    correction = ProviderResponse.objects.get(supersedes=first)
    assert correction.correction_reason == "Letter corrects it"
    resp = _post(logged_in, issued, kind="further_information", outcome="", text="More by post")
    assert resp.status_code == 302
    assert ProviderResponse.objects.get(kind="further_information").text == "More by post"


def test_the_topic_page_marks_superseded_answers_with_the_reason_current_first(
    logged_in, issued, responder
):
    first = _answer(issued, responder, text="Forty beds")
    _answer(
        issued,
        responder,
        text="Forty-two beds",
        supersedes=first,
        correction_reason="Two beds at the second site were missed",
    )
    _answer(issued, responder, outcome="", text="Six hyperacute", kind="further_information")
    page = logged_in.get(Topic.objects.get().get_absolute_url()).content.decode()
    assert page.index("Forty-two beds") < page.index("Six hyperacute") < page.index("Forty beds")
    assert "Current answer" in page
    assert "Superseded on" in page
    assert "Two beds at the second site were missed" in page
