"""Meetings on the staff casework pages: timeline entries, target meetings, members' agendas."""

import pytest

from protocols import services as meetings
from scrutiny.casework import services


@pytest.fixture
def topic(area, officer):
    topic = services.topic_raise(
        by=officer,
        title="Stroke unit",
        summary="Moving it",
        partnership=area.partnership,
        lead_body=area.network,
    )
    return services.topic_prioritise(
        topic=topic,
        by=officer,
        scores={
            "timely": 2,
            "organisational_priority": 2,
            "public_interest": 2,
            "influence": 1,
            "cost_effective": 1,
        },
    )


def test_an_agenda_item_shows_on_the_topic_timeline_and_programme(
    client, area, officer, topic, make_meeting
):
    meeting = make_meeting(title="Joint meeting")
    meetings.agenda_item_add(meeting=meeting, by=officer, title="Stroke unit update", topic=topic)
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "Joint meeting: Stroke unit update" in page
    assert f'href="/meetings/{meeting.pk}/"' in page
    programme = client.get(f"/programme/{area.partnership.slug}/").content.decode()
    assert "Joint meeting, 5 Jan 2027" in programme


def test_an_exempt_item_of_another_bodys_meeting_stays_off_the_timeline(
    client, area, officer, osc_officer, topic, make_meeting
):
    meeting = make_meeting(
        by=osc_officer, body=area.committee, partnership=None, title="HOSC private session"
    )
    meetings.agenda_item_add(
        meeting=meeting,
        by=osc_officer,
        title="CONFIDENTIAL contract",
        topic=topic,
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms.",
    )
    meetings.meeting_publish_agenda(meeting=meeting, by=osc_officer)
    client.force_login(osc_officer)
    assert "CONFIDENTIAL contract" in client.get(f"/topics/{topic.pk}/").content.decode()
    client.force_login(officer)  # the LINk's officer: not a member of the committee
    assert "CONFIDENTIAL contract" not in client.get(f"/topics/{topic.pk}/").content.decode()


def test_members_see_their_next_meetings_with_agenda_packs(client, member, published_meeting):
    client.force_login(member)
    page = client.get("/members/").content.decode()
    assert "Stroke services review" in page
    assert f"/meetings/{published_meeting.pk}/pack/" in page


def test_public_pages_list_published_meetings_but_never_exempt_items(
    client, officer, topic, make_meeting
):
    from scrutiny.casework import publication

    meeting = make_meeting(title="Public joint meeting")
    meetings.agenda_item_add(meeting=meeting, by=officer, title="Stroke unit", topic=topic)
    hidden = make_meeting(title="Private session", date=meeting.date.replace(day=6))
    meetings.agenda_item_add(
        meeting=hidden,
        by=officer,
        title="Contract",
        topic=topic,
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms.",
    )
    unpublished = make_meeting(title="Not yet published", date=meeting.date.replace(day=7))
    meetings.agenda_item_add(meeting=unpublished, by=officer, title="Later", topic=topic)
    for m in (meeting, hidden):
        meetings.meeting_publish_agenda(meeting=m, by=officer)
    publication.topic_publish(topic=topic, by=officer)

    home = client.get("/").content.decode()
    assert "Public joint meeting" in home
    assert "Not yet published" not in home
    outcome = client.get(f"/outcomes/{topic.pk}/").content.decode()
    assert f'href="/meetings/{meeting.pk}/"' in outcome
    assert f'href="/meetings/{hidden.pk}/"' not in outcome  # only an exempt item links it
    assert f'href="/meetings/{unpublished.pk}/"' not in outcome


def test_officers_publish_from_the_topic_page(client, officer, member, topic):
    client.force_login(officer)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert f'href="/topics/{topic.pk}/publish/"' in page
    client.force_login(member)
    assert "/publish/" not in client.get(f"/topics/{topic.pk}/").content.decode()


def test_a_public_agenda_never_shows_the_title_of_an_unpublished_topic(
    client, officer, topic, make_meeting
):
    """/meetings/1/ showed topic 1's title while its outcome page was a 404."""
    from scrutiny.casework import publication

    topic.title = "Confidential review of Ward 9"
    topic.save(update_fields=["title"])
    meeting = make_meeting(title="Public joint meeting")
    meetings.agenda_item_add(meeting=meeting, by=officer, title="Item of business", topic=topic)
    meetings.meeting_publish_agenda(meeting=meeting, by=officer)

    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Item of business" in page
    assert "Confidential review of Ward 9" not in page
    # Its own staff see it, linked to the case.
    client.force_login(officer)
    staff_page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert (
        f'<a class="govuk-link" href="/topics/{topic.pk}/">Confidential review of Ward 9</a>'
        in (staff_page)
    )
    client.logout()
    # Once published, residents see it, linked to its outcome page.
    publication.topic_publish(topic=topic, by=officer)
    public = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'<a class="govuk-link" href="/outcomes/{topic.pk}/">Confidential review' in public
