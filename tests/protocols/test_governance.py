"""Meeting governance: municipal years, seats, attendance, declarations of interest and the
minutes' lifecycle (issue 15 item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_fsm import can_proceed

from protocols import services
from protocols.models import Attendance, Minutes, MinutesState
from scrutiny.casework.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.protocols.builders import build_minutes
from workflows.audit import EventType
from workflows.calendar import WorkingCalendar
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import AuditEvent

CAL = WorkingCalendar()

# --- municipal years (pure) -------------------------------------------------------------------


def test_a_municipal_year_starts_on_the_working_day_after_1_may():
    # Fri 1 May 2026; Mon 4 May is the early May bank holiday: Tue 5 May.
    assert services.municipal_year_start(2026, calendar=CAL) == dt.date(2026, 5, 5)
    # Sat 1 May 2027; Mon 3 May is the bank holiday: Tue 4 May.
    assert services.municipal_year_start(2027, calendar=CAL) == dt.date(2027, 5, 4)
    # Wed 1 May 2024: Thu 2 May.
    assert services.municipal_year_start(2024, calendar=CAL) == dt.date(2024, 5, 2)
    assert services.municipal_year_bounds(2026, calendar=CAL) == (
        dt.date(2026, 5, 5),
        dt.date(2027, 5, 3),
    )


def test_a_day_belongs_to_the_year_that_has_started():
    assert services.municipal_year_of(dt.date(2026, 5, 4), calendar=CAL) == 2025
    assert services.municipal_year_of(dt.date(2026, 5, 5), calendar=CAL) == 2026
    assert services.municipal_year_of(dt.date(2027, 1, 5), calendar=CAL) == 2026
    assert services.year_label(2026) == "2026/27"
    assert services.year_label(2099) == "2099/00"


def test_the_anchor_is_a_setting(settings):
    settings.CF_MUNICIPAL_YEAR_STARTS = (4, 1)
    settings.CF_MUNICIPAL_YEAR_AFTER_ANCHOR = False
    assert services.municipal_year_start(2026, calendar=CAL) == dt.date(2026, 4, 1)


# --- the minutes' lifecycle (pure) -------------------------------------------------------------

MS = MinutesState
MINUTES_GRAPH = {
    "circulate": {MS.DRAFT: MS.CIRCULATED},
    "return_to_draft": {MS.CIRCULATED: MS.DRAFT},
    "approve": {MS.CIRCULATED: MS.APPROVED},
    "publish": {MS.APPROVED: MS.PUBLISHED},
}


@pytest.mark.parametrize("state", MS.values)
@pytest.mark.parametrize("name", MINUTES_GRAPH)
def test_minutes_moves_are_available_exactly_from_their_sources(name, state):
    minutes = Minutes(state=state)
    expected = state in MINUTES_GRAPH[name]
    assert can_proceed(getattr(minutes, name), check_conditions=False) is expected


def test_every_minutes_transition_is_in_the_graph():
    declared = {}
    for t in Minutes().get_all_state_transitions():
        declared.setdefault(t.name, set()).add((t.source, t.target))
    assert declared == {name: set(edges.items()) for name, edges in MINUTES_GRAPH.items()}


# --- seats ---------------------------------------------------------------------------------------


@pytest.fixture
def year():
    return 2026


def test_a_seat_fills_the_year_by_default(area, osc_officer, year):
    seat = services.seat_add(
        body=area.committee, by=osc_officer, year=year, name="Cllr A", role="member", voting=False
    )
    assert (seat.starts_on, seat.ends_on) == services.municipal_year_bounds(year)
    assert seat.voting is True  # a councillor votes whatever the form said
    assert AuditEvent.objects.filter(event_type=EventType.COMMITTEE_SEAT_ADDED).count() == 1


def test_one_chair_at_a_time(area, osc_officer, year):
    first, last = services.municipal_year_bounds(year)
    services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=year,
        name="Cllr A",
        role="chair",
        ends_on=dt.date(2026, 9, 30),
    )
    with pytest.raises(InvalidInput) as err:
        services.seat_add(body=area.committee, by=osc_officer, year=year, name="B", role="chair")
    assert "already has a chair" in err.value.field_errors["role"][0]
    later = services.seat_add(
        body=area.committee,
        by=osc_officer,
        year=year,
        name="Cllr B",
        role="chair",
        starts_on=dt.date(2026, 10, 1),
    )
    assert later.ends_on == last


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"role": "substitute"}, "substitute_for"),
        ({"role": "member", "starts_on": dt.date(2026, 4, 1)}, "starts_on"),
        ({"role": "member", "ends_on": dt.date(2027, 6, 1)}, "ends_on"),
        ({"role": "mayor"}, "role"),
        ({"role": "member", "name": " "}, "name"),
    ],
)
def test_a_bad_seat_is_refused_with_the_field(area, osc_officer, year, values, field):
    values = {"name": "Cllr A", **values}
    with pytest.raises(InvalidInput) as err:
        services.seat_add(body=area.committee, by=osc_officer, year=year, **values)
    assert field in err.value.field_errors


def test_only_the_bodys_officer_keeps_its_membership(area, officer, member, year):
    for who in (officer, member):  # the network's officer; the committee's member
        with pytest.raises(Forbidden):
            services.seat_add(body=area.committee, by=who, year=year, name="Cllr A", role="member")


# --- attendance, declarations and minutes --------------------------------------------------------


@pytest.fixture
def built(area, osc_officer):
    return build_minutes(area, osc_officer, target="draft")


def test_attendance_names_a_substitutes_member(built):
    row = Attendance.objects.get(meeting=built.october, name="Cllr Cal Sub")
    assert row.substitute_for == "Cllr Ben Member"


def test_a_substitute_without_whom_is_refused(built, osc_officer):
    with pytest.raises(InvalidInput) as err:
        services.attendance_record(
            meeting=built.october, by=osc_officer, name="Cllr Dee", status="substitute"
        )
    assert "substitute_for" in err.value.field_errors


def test_attendance_is_for_held_meetings(area, osc_officer, make_meeting):
    meeting = make_meeting(body=area.committee, by=osc_officer)
    with pytest.raises(Conflict):
        services.attendance_record(meeting=meeting, by=osc_officer, name="A", status="present")


def test_someone_who_sent_apologies_cannot_declare(built, osc_officer):
    apologies = Attendance.objects.get(meeting=built.october, status="apologies")
    with pytest.raises(InvalidInput) as err:
        services.interest_declare(
            item=built.items[1],
            by=osc_officer,
            attendee=apologies,
            kind="pecuniary",
            interest="x",
            withdrew=False,
        )
    assert "attendee" in err.value.field_errors


def test_a_declaration_on_an_exempt_item_keeps_its_words_out_of_the_log(built):
    notes = AuditEvent.objects.filter(event_type=EventType.MEETING_INTEREST_DECLARED)
    text = " ".join(notes.values_list("note", flat=True))
    assert "item 3 (exempt)" in text
    assert "EXEMPT" not in text


def test_minutes_cannot_be_approved_at_the_meeting_they_record(built, osc_officer):
    minutes = services.minutes_circulate(minutes=built.minutes, by=osc_officer)
    same = built.october.items.get(position=1)
    with pytest.raises(InvalidInput) as err:
        services.minutes_approve(minutes=minutes, by=osc_officer, item=same)
    assert "later meeting" in err.value.field_errors["item"][0]
    assert Minutes.objects.get(pk=minutes.pk).state == MS.CIRCULATED


def test_minutes_cannot_be_approved_at_a_meeting_not_yet_held(
    area, osc_officer, built, make_meeting
):
    minutes = services.minutes_circulate(minutes=built.minutes, by=osc_officer)
    future = make_meeting(body=area.committee, by=osc_officer, title="HOSC January")
    item = services.agenda_item_add(meeting=future, by=osc_officer, title="Minutes")
    with pytest.raises(InvalidInput):
        services.minutes_approve(minutes=minutes, by=osc_officer, item=item)


def test_minutes_cannot_be_approved_before_circulation(built, osc_officer):
    with pytest.raises(Conflict):
        services.minutes_approve(
            minutes=built.minutes, by=osc_officer, item=built.november.items.get(position=1)
        )


def test_the_whole_lifecycle_is_logged(area, osc_officer):
    built = build_minutes(area, osc_officer, target="published")
    minutes = Minutes.objects.get(pk=built.minutes.pk)
    assert minutes.state == MS.PUBLISHED
    assert minutes.approved_at_item.meeting == built.november
    assert minutes.approved_on == built.november.date
    types = list(
        AuditEvent.objects.filter(object_id=minutes.pk, content_type__model="minutes")
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert types == [
        EventType.MINUTES_DRAFTED,
        EventType.MINUTES_CIRCULATED,
        EventType.MINUTES_APPROVED,
        EventType.MINUTES_PUBLISHED,
    ]


def test_a_member_cannot_move_the_minutes(built, member):
    with pytest.raises(Forbidden):
        services.minutes_circulate(minutes=built.minutes, by=member)


def test_draft_minutes_can_be_changed_and_circulated_ones_cannot(built, osc_officer):
    services.minutes_update(minutes=built.minutes, by=osc_officer, introduction="New words")
    minutes = services.minutes_circulate(minutes=built.minutes, by=osc_officer)
    with pytest.raises(Conflict):
        services.minutes_update(minutes=minutes, by=osc_officer, introduction="Later words")
    minutes = services.minutes_return_to_draft(minutes=minutes, by=osc_officer)
    assert minutes.state == MS.DRAFT and minutes.circulated_on is None


def test_a_meeting_has_one_set_of_minutes(built, osc_officer):
    with pytest.raises(Conflict):
        services.minutes_draft(meeting=built.october, by=osc_officer)


# --- the minutes page ---------------------------------------------------------------------------


def test_draft_minutes_are_not_public(client, built):
    url = reverse("protocols:minutes", args=[built.october.pk])
    assert client.get(url).status_code == 404


def test_the_bodys_staff_read_draft_minutes_in_full(client, built, member):
    client.force_login(member)
    page = client.get(reverse("protocols:minutes", args=[built.october.pk])).content.decode()
    assert "EXEMPT-TITLE" in page and "EXEMPT-DECLARATION" in page
    assert "Cllr Cal Sub (for Cllr Ben Member)" in page
    assert "Draft" in page


def test_published_minutes_are_public_without_exempt_words(client, area, osc_officer):
    built = build_minutes(area, osc_officer, target="published")
    response = client.get(reverse("protocols:minutes", args=[built.october.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "DECISION-2" in page and "Governor of the trust" in page
    assert "Approved as a correct record at HOSC November" in page
    assert "Cllr Ben Member" in page  # apologies
    for secret in ("EXEMPT-TITLE", "EXEMPT-DECLARATION", "DECISION-3", "Commercial terms"):
        assert secret not in page
    assert "1 exempt item" in page
    # The meeting page links to them.
    meeting_page = client.get(built.october.get_absolute_url()).content.decode()
    assert reverse("protocols:minutes", args=[built.october.pk]) in meeting_page


def test_the_officer_approves_through_the_page(client, area, osc_officer):
    built = build_minutes(area, osc_officer, target="circulated")
    client.force_login(osc_officer)
    url = reverse("protocols:minutes-approve", args=[built.october.pk])
    same = built.october.items.get(position=1)
    bad = client.post(url, {"item": same.pk})
    assert bad.status_code == 400  # not a choice: only later meetings' items are offered
    good = client.post(url, {"item": built.november.items.get(position=1).pk})
    assert good.status_code == 302
    assert Minutes.objects.get(pk=built.minutes.pk).state == MS.APPROVED
    publish = client.post(
        reverse("protocols:minutes-move", args=[built.october.pk, "publish"]),
        {"state": "approved"},
    )
    assert publish.status_code == 302
    assert Minutes.objects.get(pk=built.minutes.pk).state == MS.PUBLISHED


def test_a_stale_button_is_a_conflict(client, area, osc_officer):
    built = build_minutes(area, osc_officer, target="circulated")
    client.force_login(osc_officer)
    response = client.post(
        reverse("protocols:minutes-move", args=[built.october.pk, "circulate"]),
        {"state": "draft"},
    )
    assert response.status_code == 409


def test_the_attendance_form_keeps_what_was_typed(client, built, osc_officer):
    client.force_login(osc_officer)
    url = reverse("protocols:meeting-attendance", args=[built.october.pk])
    response = client.post(url, {"name": "Cllr Typed", "status": "substitute"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and 'value="Cllr Typed"' in page
    ok = client.post(url, {"name": "Cllr Typed", "status": "present"})
    assert ok.status_code == 302
    assert Attendance.objects.filter(meeting=built.october, name="Cllr Typed").exists()


def test_the_declarations_page_records_one(client, built, osc_officer):
    client.force_login(osc_officer)
    url = reverse("protocols:meeting-declarations", args=[built.october.pk])
    chair = Attendance.objects.get(meeting=built.october, name="Cllr Ada Chair")
    response = client.post(
        url,
        {
            "item": built.items[0].pk,
            "attendee": chair.pk,
            "kind": "non_registrable",
            "interest": "A relative works at the trust",
        },
    )
    assert response.status_code == 302
    assert "A relative works at the trust" in client.get(url).content.decode()


def test_governance_pages_are_404_to_other_bodies(client, built, other_officer, officer):
    for who in (other_officer, officer):  # officer: the network's, not the committee's
        client.force_login(who)
        for name in ("meeting-attendance", "meeting-declarations", "minutes-edit"):
            url = reverse(f"protocols:{name}", args=[built.october.pk])
            assert client.get(url).status_code == 404, (who, name)


def test_the_membership_page(client, area, osc_officer, member, other_officer):
    url = reverse("protocols:body-seats", args=[area.committee.slug]) + "?year=2026"
    client.force_login(osc_officer)
    bad = client.post(url, {"name": "Cllr New", "role": "substitute"})
    assert bad.status_code == 400 and 'value="Cllr New"' in bad.content.decode()
    ok = client.post(url, {"name": "Cllr New", "role": "vice_chair"})
    assert ok.status_code == 302
    client.force_login(member)
    assert "Cllr New" in client.get(url).content.decode()
    assert client.post(url, {"name": "X", "role": "member"}).status_code == 404
    client.force_login(other_officer)
    assert client.get(url).status_code == 404


def test_a_co_optee_seat_can_name_a_sign_in(client, area, osc_officer):
    person = UserFactory(username="coopted")
    MembershipFactory(user=person, organisation=area.network, role=Membership.Role.COMMITTEE_MEMBER)
    client.force_login(osc_officer)
    url = reverse("protocols:body-seats", args=[area.committee.slug]) + "?year=2026"
    unknown = client.post(url, {"name": "A", "role": "co_optee", "username": "nobody"})
    assert unknown.status_code == 400
    ok = client.post(url, {"name": "A", "role": "co_optee", "username": "coopted"})
    assert ok.status_code == 302
    seat = person.committee_seats.get()
    assert seat.voting is False and seat.role == "co_optee"


def test_the_admin_lists_the_governance_records_read_only(client, built):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for model in ("committeeseat", "committeerules", "attendance", "declaration", "minutes"):
        response = client.get(f"/admin/protocols/{model}/")
        assert response.status_code == 200, model
        assert client.get(f"/admin/protocols/{model}/add/").status_code == 403
