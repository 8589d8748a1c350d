"""Joint working's clocks as deadline-sweep sources: protocol reviews and agenda publication."""

import datetime as dt

import pytest

from protocols import deadline_sources, services
from workflows.sweep import clock_source_unregister, sweep_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    deadline_sources.register()
    yield
    clock_source_unregister("protocol_review")
    clock_source_unregister("agenda_publication")


@pytest.mark.parametrize("size", [1, 4])
def test_agenda_publication_items(
    area, make_meeting, officer, osc_officer, chair, size, django_assert_max_num_queries
):
    for i in range(size):
        make_meeting(date=dt.date(2027, 1, 5) + dt.timedelta(days=7 * i))
    published = make_meeting(date=dt.date(2027, 1, 5), start=dt.time(9, 0))
    services.agenda_item_add(meeting=published, by=officer, title="A")
    services.meeting_publish_agenda(meeting=published, by=officer)
    with django_assert_max_num_queries(3):
        items = deadline_sources.agenda_publication_open(dt.date(2027, 12, 31))
    assert len(items) == size  # published agendas have no open clock
    first = min(items, key=lambda i: i.due_on)
    assert first.due_on == dt.date(2026, 12, 23)
    assert {u.username for u in first.reminder_recipients} == {"link-officer", "osc-officer"}
    assert [u.username for u in first.escalation_recipients] == ["chair"]


def test_protocol_review_items(area, officer, osc_officer):
    protocol = services.protocol_create(
        partnership=area.partnership, by=officer, title="P", purpose="Together"
    )
    v = protocol.versions.get()
    services.protocol_version_sign_off(version=v, by=officer, organisation=area.network)
    v = services.protocol_version_sign_off(version=v, by=osc_officer, organisation=area.committee)
    assert deadline_sources.protocol_reviews_open(dt.date(2027, 12, 31)) == []
    services.protocol_version_update(version=v, by=officer, review_on=dt.date(2027, 3, 1))
    (item,) = deadline_sources.protocol_reviews_open(dt.date(2027, 3, 1))
    assert item.obj.pk == v.pk and item.link == v.get_absolute_url()
    assert deadline_sources.protocol_reviews_open(dt.date(2027, 2, 28)) == []


def test_the_sweep_reminds_about_an_agenda(registered, area, make_meeting, officer, osc_officer):
    meeting = make_meeting(date=dt.date(2027, 1, 5))
    report = sweep_run(today=dt.date(2026, 12, 24), dry_run=True, with_digests=False)
    mine = [a for a in report.actions if a.item.kind == "agenda_publication"]
    assert [a.item.obj.pk for a in mine] == [meeting.pk]
    assert {u.username for u in mine[0].recipients} >= {"link-officer", "osc-officer"}
