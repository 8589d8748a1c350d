"""Meeting pages: exempt items and unpublished agendas on every public surface, members' packs,
officers' forms (warnings, kept input), and fixed query counts at two data sizes."""

import datetime as dt

import pytest
from django.urls import reverse

from protocols import services
from protocols.models import Meeting, Paper

from .conftest import paper_file

pytestmark = pytest.mark.django_db

OUTSIDERS = ["resident", "responder", "other_officer", "other_responder"]
INSIDERS = ["officer", "osc_officer", "member", "chair"]


def login(client, request, who):
    user = request.getfixturevalue(who)
    if user.is_authenticated:
        client.force_login(user)
    return user


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_never_see_exempt_items_or_papers(client, request, published_meeting, who):
    login(client, request, who)
    for url in (reverse("protocols:meeting-list"), published_meeting.get_absolute_url()):
        text = client.get(url).content.decode()
        assert "SECRET" not in text, url
    detail = client.get(published_meeting.get_absolute_url()).content.decode()
    assert "Moving the stroke unit" in detail and "Stroke paper" in detail
    assert "considered in private" in detail
    public_paper = Paper.objects.get(title="Stroke paper")
    exempt_paper = Paper.objects.get(title="SECRET-PAPER figures")
    assert client.get(public_paper.get_absolute_url()).status_code == 200
    assert client.get(exempt_paper.get_absolute_url()).status_code == 404
    pack = client.get(reverse("protocols:meeting-pack", args=[published_meeting.pk]))
    assert pack.status_code in (302, 404)


@pytest.mark.parametrize("who", INSIDERS)
def test_members_see_exempt_items_and_papers(client, request, published_meeting, who):
    login(client, request, who)
    detail = client.get(published_meeting.get_absolute_url()).content.decode()
    assert "SECRET-ITEM provider contract" in detail and "SECRET-PAPER figures" in detail
    assert "Schedule 12A paragraph 3" in detail
    exempt_paper = Paper.objects.get(title="SECRET-PAPER figures")
    response = client.get(exempt_paper.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"The trust's figures."
    pack = client.get(reverse("protocols:meeting-pack", args=[published_meeting.pk]))
    text = pack.content.decode()
    assert pack.status_code == 200
    assert text.index("Moving the stroke unit") < text.index("SECRET-ITEM provider contract")
    assert "Exempt information: not for publication" in text
    assert "css/protocols.css" in text and "cf-no-print" in text
    mine = client.get(reverse("protocols:my-meetings")).content.decode()
    assert "Stroke services review" in mine


@pytest.mark.parametrize(("who", "status"), [*[(w, 404) for w in OUTSIDERS], ("member", 200)])
def test_unpublished_agendas_are_not_public(client, request, make_meeting, officer, who, status):
    meeting = make_meeting(title="UNPUBLISHED-MEETING")
    item = services.agenda_item_add(meeting=meeting, by=officer, title="Draft item")
    paper = services.paper_add(item=item, by=officer, file=paper_file())
    login(client, request, who)
    assert client.get(meeting.get_absolute_url()).status_code == status
    assert client.get(paper.get_absolute_url()).status_code == status
    listing = client.get(reverse("protocols:meeting-list")).content.decode()
    assert ("UNPUBLISHED-MEETING" in listing) == (status == 200)


def test_cancelled_meeting_page_says_so(client, published_meeting, officer):
    services.meeting_cancel(meeting=published_meeting, by=officer, reason="Flooding at the hall")
    text = client.get(published_meeting.get_absolute_url()).content.decode()
    assert "Cancelled" in text and "Flooding at the hall" in text


def test_schedule_form_flags_a_past_date_and_keeps_input(client, area, officer):
    client.force_login(officer)
    url = reverse("protocols:meeting-create")
    data = {
        "organiser": f"partnership:{area.partnership.pk}",
        "title": "Typed title",
        "date": "2026-11-02",
        "start_time": "18:00",
        "place": "Town Hall",
    }
    response = client.post(url, data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "is in the past" in text and 'value="Typed title"' in text
    assert not Meeting.objects.exists()
    response = client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    assert Meeting.objects.get().title == "Typed title"


def test_schedule_form_errors(client, area, officer, member):
    client.force_login(member)
    assert client.get(reverse("protocols:meeting-create")).status_code == 404
    client.force_login(officer)
    response = client.post(
        reverse("protocols:meeting-create"),
        {"organiser": f"body:{area.network.pk}", "title": "T", "date": "2027-01-05"},
    )
    assert response.status_code == 400 and not Meeting.objects.exists()
    response = client.post(
        reverse("protocols:meeting-create"),
        {
            "organiser": f"body:{area.network.pk}",
            "title": "T",
            "date": "2027-01-05",
            "start_time": "18:00",
        },
    )
    assert "Enter a place, an online link, or both." in response.content.decode()


def test_officer_pages_walk_a_meeting_through(client, area, officer, chair, make_meeting):
    meeting = make_meeting(date=dt.date(2026, 12, 1))  # its agenda is already late
    client.force_login(officer)
    base = meeting.get_absolute_url()
    assert (
        client.post(
            reverse("protocols:item-add", args=[meeting.pk]),
            {"title": "Exempt thing", "exempt": "on", "exempt_paragraph": ""},
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("protocols:item-add", args=[meeting.pk]), {"title": "Winter"}
        ).status_code
        == 302
    )
    item = meeting.items.get()
    response = client.post(
        reverse("protocols:paper-add", args=[meeting.pk, item.pk]),
        {"file": paper_file("x.pdf", "not a pdf")},
    )
    assert response.status_code == 400 and "does not look like a .pdf" in response.content.decode()
    publish = reverse("protocols:meeting-publish", args=[meeting.pk])
    assert "This agenda is late" in client.get(publish).content.decode()
    assert client.post(publish).status_code == 400  # late: the chair's reason first
    ask = reverse("protocols:meeting-urgency-request", args=[meeting.pk])
    assert client.post(ask).status_code == 302
    assert "Awaiting the chair's reason" in client.get(publish).content.decode()
    client.force_login(chair)
    urgency = reverse("protocols:meeting-urgency", args=[meeting.pk])
    assert client.post(urgency, {"reason": "Flu surge"}).status_code == 302
    client.force_login(officer)
    response = client.post(publish)
    assert response.status_code == 302
    text = client.get(base).content.decode()
    assert "Flu surge" in text and "late, with the chair" in text


def test_other_bodies_officers_cannot_reach_officer_pages(
    client, published_meeting, other_officer, member
):
    item = published_meeting.items.first()
    for user in (other_officer, member):
        client.force_login(user)
        for name, args in [
            ("meeting-edit", [published_meeting.pk]),
            ("meeting-publish", [published_meeting.pk]),
            ("meeting-cancel", [published_meeting.pk]),
            ("item-add", [published_meeting.pk]),
            ("item-edit", [published_meeting.pk, item.pk]),
            ("paper-add", [published_meeting.pk, item.pk]),
            ("item-decision", [published_meeting.pk, item.pk]),
        ]:
            assert client.get(reverse(f"protocols:{name}", args=args)).status_code == 404, name


# --- Query counts at two data sizes ---------------------------------------------------------


def build(make_meeting, officer, n, start=0):
    for i in range(start, start + n):
        m = make_meeting(title=f"Meeting {i}", date=dt.date(2027, 1, 5) + dt.timedelta(days=i))
        item = services.agenda_item_add(meeting=m, by=officer, title=f"Item {i}")
        services.paper_add(item=item, by=officer, file=paper_file())
        services.agenda_item_add(
            meeting=m,
            by=officer,
            title="Exempt",
            exempt=True,
            exempt_paragraph=1,
            public_interest_reason="Personal",
        )
        services.meeting_publish_agenda(meeting=m, by=officer)
        past = make_meeting(title=f"Past {i}", date=dt.date(2026, 10, 1) - dt.timedelta(days=i))
        services.agenda_item_add(meeting=past, by=officer, title="Old")
        services.meeting_publish_agenda(
            meeting=past, by=officer, now=dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC)
        )


def query_counts(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        client.get(url)  # the personal feed notes its first use once an hour: not a list cost
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("who", ["resident", "member", "officer"])
def test_list_pages_have_fixed_query_counts(client, request, area, make_meeting, officer, who):
    """The same number of queries with 2 meetings as with 14 (and with 2 protocols as 1)."""
    build(make_meeting, officer, 2)
    user = login(client, request, who)
    root = _superuser()
    agreed_protocol(area.partnership, root)
    urls = [reverse("protocols:meeting-list"), reverse("protocols:calendar-public")]
    urls.append(reverse("protocols:calendar-partnership", args=[area.partnership.slug]))
    urls.append(reverse("protocols:protocol-list"))
    if user.is_authenticated:
        _, raw = services.calendar_token_create(user=user)
        urls += [
            reverse("protocols:my-meetings"),
            reverse("protocols:calendar-personal", args=[raw]),
        ]
    small = query_counts(client, urls)
    build(make_meeting, officer, 12, start=2)
    from tests.factories import PartnershipFactory

    for _ in range(3):
        agreed_protocol(PartnershipFactory(), root)
    assert query_counts(client, urls) == small
    assert max(small.values()) <= 14


def agreed_protocol(partnership, by):
    from scrutiny.casework.models import Organisation

    protocol = services.protocol_create(partnership=partnership, by=by, title="P", purpose="x")
    version = protocol.versions.get()
    for org in Organisation.objects.filter(pk__in=partnership.party_ids()):
        version = services.protocol_version_sign_off(version=version, by=by, organisation=org)
    assert version.state == "agreed"
    return protocol


def _superuser():
    from tests.factories import UserFactory

    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    return user


def _meeting_with_papers(make_meeting, officer, n):
    meeting = make_meeting()
    for i in range(n):
        item = services.agenda_item_add(meeting=meeting, by=officer, title=f"Item {i}")
        services.paper_add(item=item, by=officer, file=paper_file())
        services.paper_add(item=item, by=officer, file=paper_file("b.txt"))
    services.meeting_publish_agenda(meeting=meeting, by=officer)
    return meeting


def _page_counts(client, meeting):
    """Queries of the meeting page and the members' printable pack, in the three states of
    their PDF packs: first asked (rows written, builds queued), asked again (being prepared),
    and built."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from protocols.models import Pack
    from protocols.services import packs

    urls = (meeting.get_absolute_url(), reverse("protocols:meeting-pack", args=[meeting.pk]))
    counts = []
    for state in ("first", "again", "built"):
        if state == "built":
            for pk in Pack.objects.filter(meeting=meeting).values_list("pk", flat=True):
                assert packs.agenda_pack_build(pk) == "built"
        for page, url in zip(("meeting", "printable pack"), urls, strict=True):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            counts.append((state, page, len(ctx.captured_queries)))
    return counts


def test_meeting_and_pack_pages_have_fixed_query_counts(client, make_meeting, officer, member):
    """The same queries with 1 item as with 8, in every state of the PDF packs. The pages'
    own queries come to at most 12; the packs (protocols.services.packs.agenda_packs via
    scrutiny.web.joint.views.packs.pack_links) add: the items and their papers for the
    pack's digest (2: the public pack's digest needs the exempt items the page does not
    show), whether the member may read an exempt item (1), and the packs' rows (1), so 16
    once built. The first request for a pack version also writes its row and queues its build
    in the same transaction (savepoint, insert, task insert, release: 4 per pack kind, and a
    member is offered two kinds), so 22 that once."""
    client.force_login(member)
    small = _page_counts(client, _meeting_with_papers(make_meeting, officer, 1))
    large = _page_counts(client, _meeting_with_papers(make_meeting, officer, 8))
    assert small == large
    most = {state: max(c for s, _, c in small if s == state) for state in ("first", "again")}
    assert most["again"] <= 16, small
    assert most["first"] <= 22, small
    assert max(c for s, _, c in small if s == "built") <= 16, small


def test_minutes_through_the_pages_move_the_topic(client, area, officer, make_meeting):
    from scrutiny.casework import services as casework

    topic = casework.topic_raise(
        by=officer,
        title="Stroke",
        summary="S",
        partnership=area.partnership,
        lead_body=area.network,
    )
    meeting = make_meeting(date=dt.date(2026, 11, 20))
    item = services.agenda_item_add(meeting=meeting, by=officer, title="Stroke", topic=topic)
    services.agenda_item_add(meeting=meeting, by=officer, title="Other")
    services.meeting_publish_agenda(
        meeting=meeting, by=officer, now=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    )
    client.force_login(officer)
    decision = reverse("protocols:item-decision", args=[meeting.pk, item.pk])
    assert client.post(reverse("protocols:meeting-held", args=[meeting.pk])).status_code == 302
    scores = {
        "score_timely": 2,
        "score_organisational_priority": 2,
        "score_public_interest": 2,
        "score_influence": 1,
        "score_cost_effective": 1,
    }
    response = client.post(decision, {"decision": "Prioritised", "resolution": "conclude"})
    assert response.status_code == 400  # a raised topic cannot be concluded; nothing minuted
    assert "Prioritised" in response.content.decode()
    response = client.post(
        decision, {"decision": "Prioritised", "resolution": "prioritise", **scores}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == "prioritised"
    client.logout()
    text = client.get(meeting.get_absolute_url()).content.decode()
    assert "Prioritised" in text and "Resolved to prioritise the topic" in text


def test_edit_and_cancel_pages(client, published_meeting, officer):
    client.force_login(officer)
    edit = reverse("protocols:meeting-edit", args=[published_meeting.pk])
    assert client.get(edit).status_code == 200
    data = {"title": "New title", "date": "2027-01-05", "start_time": "18:00", "place": "Hall"}
    assert client.post(edit, data).status_code == 302
    cancel = reverse("protocols:meeting-cancel", args=[published_meeting.pk])
    assert client.post(cancel, {"reason": ""}).status_code == 400
    assert client.post(cancel, {"reason": "Snow"}).status_code == 302
    published_meeting.refresh_from_db()
    assert published_meeting.title == "New title" and published_meeting.state == "cancelled"
    response = client.post(edit, data)  # a cancelled meeting is not edited: a conflict
    assert response.status_code == 409
    body = response.content.decode()
    assert "it cannot be edited" in body and "Cancelled" in body
