"""The staff forms: each validates, keeps what was typed, maps domain errors, and says so when
someone else has just moved the case."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import (
    InformationRequest,
    ProviderResponse,
    Recommendation,
    ResponseAttachment,
    Topic,
    TopicPosition,
)
from scrutiny.web.staff.views import TRANSITIONS
from tests.factories import TopicFactory, agree_recommendations
from tests.scrutiny.casework_setup import SCORES, walk_to_response_due

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def joint(area):
    return TopicFactory(partnership=area.partnership, lead_body=area.network, title="Stroke unit")


def test_officer_walks_a_topic_through_the_forms(logged_in, area, officer, osc_officer):
    c = logged_in
    response = c.post(
        "/topics/new/",
        {
            "title": "Stroke unit",
            "summary": "Moving the unit to Southby",
            "owner": f"p{area.partnership.pk}",
            "lead_body": area.network.pk,
            "source": "officer",
            "health_bodies": [area.trust.pk],
        },
    )
    topic = Topic.objects.get(title="Stroke unit")
    assert response.status_code == 302 and response["Location"] == f"/topics/{topic.pk}/"

    page = c.get(f"/topics/{topic.pk}/").content.decode()
    assert f"/topics/{topic.pk}/prioritise/" in page
    assert f"/topics/{topic.pk}/conclude/" not in page

    scores = {f"score_{k}": v for k, v in SCORES.items()}
    c.post(f"/topics/{topic.pk}/prioritise/", {**scores, "expected_state": "raised"})
    topic.refresh_from_db()
    assert topic.state == "prioritised" and topic.score_total == 7

    c.post(f"/topics/{topic.pk}/request_information/", {"expected_state": "prioritised"})
    response = c.post(
        f"/topics/{topic.pk}/requests/new/",
        {"recipients": [area.trust.pk, area.other_trust.pk], "question": "How many beds?"},
    )
    assert response.status_code == 302
    assert topic.requests.filter(state="draft").count() == 2
    drafts = list(topic.requests.drafts().values_list("pk", flat=True))
    c.post(
        f"/topics/{topic.pk}/issue_requests/",
        {"expected_state": "information_requested", "items": drafts},
    )
    topic.refresh_from_db()
    assert topic.state == "response_due"
    req = topic.requests.get(recipient=area.trust)
    assert req.state == "issued" and req.due_on

    response = c.post(
        f"/requests/{req.pk}/response/",
        {
            "channel": "letter",
            "received_on": timezone.localdate().isoformat(),
            "outcome": "answered",
            "text": "We have 40 beds.",
            "attachments": [SimpleUploadedFile("beds.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302
    answer = ProviderResponse.objects.get(information_request=req)
    assert answer.recorded_by == officer and answer.submitted_by is None
    assert answer.attachments.get().original_name == "beds.pdf"

    c.post(
        f"/topics/{topic.pk}/recommendations/new/",
        {"recipients": [area.trust.pk], "text": "Keep the unit open", "rationale": "Access"},
    )
    rec = topic.recommendations.get()
    agree_recommendations(topic)
    c.post(
        f"/topics/{topic.pk}/make_recommendations/",
        {"expected_state": "response_due", "items": [rec.pk]},
    )
    rec.refresh_from_db()
    assert rec.state == "issued"
    response = c.post(
        f"/recommendations/{rec.pk}/response/",
        {
            "channel": "meeting",
            "received_on": timezone.localdate().isoformat(),
            "outcome": "accepted",
            "text": "Agreed.",
            "action_1": "Keep staffing",
            "owner_1": "Chief operating officer",
            "target_1": "2027-03-01",
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.state == "responded" and rec.outcome == "accepted"

    c.force_login(osc_officer)
    c.post(
        f"/topics/{topic.pk}/position/",
        {"organisation": area.committee.pk, "position": "We would go further."},
    )
    assert TopicPosition.objects.get(topic=topic).organisation == area.committee

    # The other trust has not answered its request: concluding asks what becomes of it.
    other = topic.requests.get(recipient=area.other_trust)
    response = c.post(
        f"/topics/{topic.pk}/conclude/",
        {"outcome_summary": "The unit stays.", "expected_state": "recommendation_made"},
    )
    assert response.status_code == 400
    response = c.post(
        f"/topics/{topic.pk}/conclude/",
        {
            "outcome_summary": "The unit stays.",
            "expected_state": "recommendation_made",
            f"request-{other.pk}": "monitor",
            f"request-{other.pk}-reason": "Its figures are due with the winter plan.",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == "concluded"
    page = c.get(f"/topics/{topic.pk}/").content.decode()
    for words in (
        "Topic raised",
        "Topic prioritised",
        "Response from",
        "Topic concluded",
        "go further",
    ):
        assert words in page


def test_an_invalid_form_keeps_what_was_typed(logged_in, area):
    response = logged_in.post(
        "/topics/new/", {"title": "", "summary": "Kept summary text", "owner": "b999"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Kept summary text" in body
    assert "Enter a title." in body
    assert "govuk-error-summary" in body
    assert not Topic.objects.exists()


def test_scores_out_of_range_are_refused_and_kept(logged_in, joint):
    scores = {f"score_{k}": v for k, v in SCORES.items()}
    scores["score_timely"] = 7
    response = logged_in.post(f"/topics/{joint.pk}/prioritise/", scores)
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'name="score_organisational_priority" value="2"[^>]*checked', body)
    assert "Score &#x27;Timely&#x27; from 0 to 2." in body or "Select a valid choice" in body
    joint.refresh_from_db()
    assert joint.state == "raised"


def test_someone_else_moved_it_says_so_with_the_current_state(logged_in, officer, joint):
    services.topic_decline(topic=joint, by=officer, reason="Out of scope")
    response = logged_in.post(
        f"/topics/{joint.pk}/withdraw/", {"reason": "Stop", "expected_state": "raised"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "moved" in body and "Declined" in body
    joint.refresh_from_db()
    assert joint.state == "declined" and joint.decision_reason == "Out of scope"


def test_a_stale_link_to_an_unavailable_action_is_a_conflict_page(logged_in, joint):
    response = logged_in.get(f"/topics/{joint.pk}/conclude/")
    assert response.status_code == 409
    assert "Raised" in response.content.decode()


def test_a_domain_error_becomes_a_form_error(logged_in, area, officer, joint):
    joint = services.topic_prioritise(topic=joint, by=officer, scores=SCORES)
    joint = services.topic_request_information(topic=joint, by=officer)
    services.information_request_draft(topic=joint, by=officer, recipient=area.trust, question="Q")
    joint.refresh_from_db()
    # Concluding needs the topic in 'recommendation made': the service refuses with a Conflict.
    response = logged_in.post(
        f"/topics/{joint.pk}/conclude/", {"outcome_summary": "Done", "expected_state": ""}
    )
    assert response.status_code == 409
    # A required reason left blank is a form error, not a 500.
    response = logged_in.post(f"/topics/{joint.pk}/decline/", {"reason": "  "})
    assert response.status_code == 400
    assert "Enter the reason." in response.content.decode()


def test_drafting_without_a_recipient_keeps_the_question(logged_in, officer, joint):
    services.topic_prioritise(topic=joint, by=officer, scores=SCORES)
    response = logged_in.post(f"/topics/{joint.pk}/requests/new/", {"question": "Beds?"})
    assert response.status_code == 400
    assert "Beds?" in response.content.decode()
    assert not InformationRequest.all_objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "upload PDF, Word"),
        ("fake.pdf", b"not a pdf at all", "not a real .pdf file"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_a_rejected_upload_leaves_nothing_behind(
    logged_in, area, officer, joint, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    topic, req, _ = walk_to_response_due(joint, officer, area.trust)
    response = logged_in.post(
        f"/requests/{req.pk}/response/",
        {
            "channel": "email",
            "received_on": timezone.localdate().isoformat(),
            "outcome": "answered",
            "text": "Text kept on error",
            "attachments": [
                SimpleUploadedFile("good.pdf", PDF, "application/pdf"),
                SimpleUploadedFile(name, content),
            ],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Text kept on error" in body
    assert not ProviderResponse.objects.exists()
    assert not ResponseAttachment.objects.exists()
    req.refresh_from_db()
    assert req.state == "issued"
    assert not any(tmp_path.rglob("*.*"))


def test_a_future_received_date_is_refused(logged_in, area, officer, joint):
    _, req, _ = walk_to_response_due(joint, officer, area.trust)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = logged_in.post(
        f"/requests/{req.pk}/response/",
        {
            "channel": "email",
            "received_on": tomorrow.isoformat(),
            "outcome": "answered",
            "text": "x",
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_refusal_needs_a_ground(logged_in, area, officer, joint):
    _, req, _ = walk_to_response_due(joint, officer, area.trust)
    response = logged_in.post(
        f"/requests/{req.pk}/response/",
        {
            "channel": "letter",
            "received_on": timezone.localdate().isoformat(),
            "outcome": "refused",
            "text": "No",
        },
    )
    assert response.status_code == 400
    assert "Give the ground for refusing." in response.content.decode()


def test_conclude_while_a_response_is_awaited_needs_a_reason(logged_in, area, officer, joint):
    topic, req, rec = walk_to_response_due(joint, officer, area.trust)
    agree_recommendations(topic)
    topic = services.topic_make_recommendations(topic=topic, by=officer)
    response = logged_in.post(
        f"/topics/{topic.pk}/conclude/",
        {"outcome_summary": "Done", "expected_state": "recommendation_made"},
    )
    assert response.status_code == 400
    assert "Choose what happens to the recommendation" in response.content.decode()
    response = logged_in.post(
        f"/topics/{topic.pk}/conclude/",
        {
            "outcome_summary": "Done",
            f"request-{req.pk}": "withdraw",
            f"recommendation-{rec.pk}": "monitor",
            f"recommendation-{rec.pk}-reason": "The trust closed the unit anyway.",
            "expected_state": "recommendation_made",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == "concluded"


def test_referral_acknowledged_and_updated_is_seen_by_both_bodies(
    client, area, officer, osc_officer
):
    topic = services.topic_raise(
        by=officer,
        title="Referred matter",
        summary="Please look",
        partnership=area.partnership,
        lead_body=area.network,
        source="referral",
    )
    referral = topic.referral
    client.force_login(osc_officer)
    work = client.get("/work/?show=to_acknowledge").content.decode()
    assert "Referred matter" in work
    response = client.post(f"/referrals/{referral.pk}/acknowledge/", {"text": "We will look."})
    assert response.status_code == 302
    response = client.post(f"/referrals/{referral.pk}/update/", {"text": "On the agenda."})
    assert response.status_code == 302
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "We will look." in page and "On the agenda." in page
    assert "Acknowledge the referral" not in page


def test_responder_sees_title_summary_and_their_own_request_only(client, area, officer, responder):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    for trust, q in ((area.trust, "Question for us"), (area.other_trust, "Question for them")):
        services.information_request_draft(topic=topic, by=officer, recipient=trust, question=q)
    services.topic_issue_requests(topic=topic, by=officer)
    services.recommendation_draft(topic=topic, by=officer, recipient=area.trust, text="Draft rec")
    client.force_login(responder)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert topic.title in page and topic.summary in page
    assert "Question for us" in page
    assert "Question for them" not in page
    assert "Draft rec" not in page
    assert "Timeline" not in page


def test_dashboard_groups_work_and_filters(client, area, officer, osc_officer):
    # Both trusts have an address, so each ask reached someone (else: "asks nobody received").
    for trust in (area.trust, area.other_trust):
        trust.email = f"enquiries@{trust.slug}.example"
        trust.save()
    t1 = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Alpha")
    t2 = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Beta")
    _, req1, _ = walk_to_response_due(t1, officer, area.trust)
    _, req2, _ = walk_to_response_due(t2, officer, area.other_trust)
    # Alpha's request is overdue; Beta's is due tomorrow.
    InformationRequest.all_objects.filter(pk=req1.pk).update(due_on=dt.date(2020, 1, 6))
    InformationRequest.all_objects.filter(pk=req2.pk).update(
        due_on=timezone.localdate() + dt.timedelta(days=1)
    )
    client.force_login(osc_officer)
    response = client.get("/work/")
    body = response.content.decode()
    assert 'data-count="unreached">0<' in body
    assert 'data-count="overdue">1<' in body
    assert 'data-count="due_soon">1<' in body
    assert 'data-count="to_issue">2<' in body  # the two draft recommendations
    overdue = client.get("/work/?show=overdue").content.decode()
    assert "Alpha" in overdue and "Beta" not in overdue
    by_body = client.get(f"/work/?health_body={area.other_trust.pk}").content.decode()
    assert "Beta" in by_body and "Alpha" not in by_body
    assert "working days overdue" in overdue
    sorted_page = client.get("/work/?sort=-due&show=").content.decode()
    assert sorted_page.index("Beta") < sorted_page.index("Alpha")
    bad = client.get("/work/?partnership=nonsense")
    assert bad.status_code == 200


def test_programme_shows_scores_and_capacity(client, area, officer):
    area.partnership.programme_capacity = 3
    area.partnership.save()
    for title in ("One", "Two"):
        t = TopicFactory(partnership=area.partnership, lead_body=area.network, title=title)
        services.topic_prioritise(topic=t, by=officer, scores=SCORES)
    TopicFactory(partnership=area.partnership, lead_body=area.network, title="Candidate")
    client.force_login(officer)
    body = client.get("/programme/northby/").content.decode()
    assert "One" in body and "Two" in body and "Candidate" in body
    assert re.search(r"Capacity left for issues that arise</dt>\s*<dd[^>]*>1</dd>", body), (
        "3 capacity - 2 active topics"
    )
    assert re.search(r"Active topics</dt>\s*<dd[^>]*>2</dd>", body)


def test_members_page_lists_draft_recommendations(client, area, officer, member):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    walk_to_response_due(topic, officer, area.trust)
    client.force_login(member)
    body = client.get("/members/").content.decode()
    assert "Keep the unit open." in body
    assert Recommendation.all_objects.filter(state="draft").count() == 1


def test_logout_is_by_post(client, officer):
    client.force_login(officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/work/").status_code == 302


def test_the_issue_pages_list_the_drafts_they_will_issue(logged_in, area, officer, joint):
    joint = services.topic_prioritise(topic=joint, by=officer, scores=SCORES)
    joint = services.topic_request_information(topic=joint, by=officer)
    services.information_request_draft(
        topic=joint, by=officer, recipient=area.trust, question="How many beds?"
    )
    body = logged_in.get(f"/topics/{joint.pk}/issue_requests/").content.decode()
    assert "To Northby Hospitals NHS Trust: How many beds?" in body
    joint = services.topic_issue_requests(topic=joint, by=officer)
    services.recommendation_draft(topic=joint, by=officer, recipient=area.trust, text="Open it")
    # Nothing agreed yet: nothing to issue (test_recommendation_agreement.py has the words).
    assert logged_in.get(f"/topics/{joint.pk}/make_recommendations/").status_code == 409
    agree_recommendations(joint)
    services.recommendation_draft(topic=joint, by=officer, recipient=area.trust, text="Later")
    body = logged_in.get(f"/topics/{joint.pk}/make_recommendations/").content.decode()
    assert "To Northby Hospitals NHS Trust: Open it" in body
    assert "Drafts not yet agreed" in body and "To Northby Hospitals NHS Trust: Later" in body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer", 200),
        ("member", 200),
        ("responder", 200),
        ("other_responder", 404),
        ("other_officer", 404),
    ],
)
def test_attachments_download_only_for_those_who_see_the_request(
    client, request, area, officer, joint, settings, tmp_path, role, status
):
    settings.MEDIA_ROOT = tmp_path
    _, req, _ = walk_to_response_due(joint, officer, area.trust)
    response = services.provider_response_record(
        subject=req,
        by=officer,
        channel="letter",
        text="See letter",
        outcome="answered",
        attachments=[SimpleUploadedFile("letter.pdf", PDF, "application/pdf")],
    )
    attachment = response.attachments.get()
    client.force_login(request.getfixturevalue(role))
    got = client.get(f"/attachments/{attachment.pk}/")
    assert got.status_code == status
    if status == 200:
        assert b"".join(got.streaming_content) == PDF
        assert 'filename="letter.pdf"' in got["Content-Disposition"]


def test_attachment_download_needs_sign_in(client):
    assert client.get("/attachments/1/").status_code == 302


JUNK = {
    "title": "x" * 500,
    "owner": "zz",
    "lead_body": "abc",
    "health_bodies": ["nope"],
    "recipients": ["-1"],
    "score_timely": "two",
    "expected_state": "not-a-state",
    "channel": "pigeon",
    "received_on": "31/02/2026",
    "outcome": "maybe",
    "refusal_ground": "because",
    "target_1": "soon",
    "organisation": "999999",
    "text": "",
    "reason": "",
    "outcome_summary": "",
}


def test_junk_posted_to_every_form_is_a_4xx_never_a_500(logged_in, area, officer, joint):
    topic, req, rec = walk_to_response_due(joint, officer, area.trust)
    urls = [
        "/topics/new/",
        f"/topics/{topic.pk}/requests/new/",
        f"/topics/{topic.pk}/recommendations/new/",
        f"/topics/{topic.pk}/position/",
        f"/requests/{req.pk}/response/",
        f"/recommendations/{rec.pk}/response/",
        f"/referrals/{topic.pk}/acknowledge/",
    ] + [f"/topics/{topic.pk}/{name}/" for name in TRANSITIONS]
    for url in urls:
        status = logged_in.post(url, JUNK).status_code
        assert 400 <= status < 500, (url, status)
    for query in ("body=x&partnership=-1&state=zzz&health_body=abc&sort=evil&page=999",):
        assert logged_in.get(f"/work/?{query}").status_code == 200
        assert logged_in.get(f"/topics/?{query}").status_code == 200
    topic.refresh_from_db()
    assert topic.state == "response_due"
