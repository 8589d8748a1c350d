"""The buttons of the meeting and protocol pages, from the lifecycle and the policy."""

import datetime as dt

import pytest

from protocols import services
from scrutiny.web.joint import presenters

pytestmark = pytest.mark.django_db


def test_a_scheduled_meeting_offers_its_officer_everything_but_minutes(make_meeting, officer):
    meeting = make_meeting()  # in the future
    actions = presenters.meeting_actions(officer, meeting)
    assert actions.manage and actions.add_item and actions.publish_agenda
    assert actions.edit and actions.cancel
    assert not actions.mark_held  # its date has not come
    assert not actions.minute


def test_a_held_meeting_is_minuted_item_by_item(make_meeting, officer):
    meeting = make_meeting(date=dt.date(2026, 11, 20))
    item = services.agenda_item_add(meeting=meeting, by=officer, title="Stroke")
    services.meeting_publish_agenda(
        meeting=meeting, by=officer, now=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    )
    assert presenters.meeting_actions(officer, meeting).mark_held
    meeting = services.meeting_mark_held(meeting=meeting, by=officer)
    actions = presenters.meeting_actions(officer, meeting)
    assert actions.minute
    assert not (actions.add_item or actions.edit or actions.cancel or actions.mark_held)
    assert presenters.item_row(item, minuting=actions.minute).minutable
    assert not presenters.item_row(item, minuting=False).minutable


def test_a_member_sees_no_officers_buttons(make_meeting, member):
    assert presenters.meeting_actions(member, make_meeting()) == presenters.MeetingActions(
        manage=False
    )


def test_version_actions_follow_the_versions_lifecycle(area, officer, osc_officer):
    protocol = services.protocol_create(partnership=area.partnership, by=officer, title="Ours")
    draft = protocol.versions.get()
    actions = presenters.version_actions(officer, protocol, draft, [draft])
    assert actions.edit_draft and actions.collecting_sign_offs
    assert not (actions.start_review or actions.draft_next or actions.change_review_date)
    services.protocol_version_update(
        version=draft, by=officer, purpose="Work together", review_on=dt.date(2027, 11, 1)
    )
    for by, body in ((officer, area.network), (osc_officer, area.committee)):
        draft = services.protocol_version_sign_off(
            version=draft, by=by, organisation=body, signatory_name="A. Signer"
        )
    assert draft.state == "agreed"
    actions = presenters.version_actions(officer, protocol, draft, [draft])
    assert actions.start_review and actions.draft_next and actions.change_review_date
    assert not (actions.edit_draft or actions.collecting_sign_offs)
