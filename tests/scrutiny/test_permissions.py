"""The topic access index: one row per (body, topic), derived from the casework."""

import pytest
from django.core.management import call_command

from scrutiny.casework import grants, services
from scrutiny.casework.models import Membership, Topic
from scrutiny.casework.permissions import (
    Perm,
    TopicAccess,
    can,
    prefetch_topic_perms,
    recommendations_visible_to,
    requests_visible_to,
    topics_visible_to,
    visible,
)
from scrutiny.casework.policy import roles_by_body
from tests.factories import (
    InformationRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    TopicFactory,
    UserFactory,
)


@pytest.fixture
def joint(area):
    return TopicFactory(partnership=area.partnership, lead_body=area.network)


@pytest.fixture
def elsewhere(area):
    return Topic.objects.create(
        title="Southby dentists",
        summary="Access",
        body=area.other_network,
        lead_body=area.other_network,
    )


STAFF = ["officer", "osc_officer", "member", "chair"]


@pytest.mark.parametrize("role", STAFF)
def test_staff_of_either_party_see_a_joint_topic(request, role, joint, elsewhere):
    user = request.getfixturevalue(role)
    assert list(topics_visible_to(user)) == [joint]
    assert can(user, Perm.TOPIC_VIEW, joint)
    assert can(user, Perm.TOPIC_CASE_FILE, joint)
    assert not can(user, Perm.TOPIC_VIEW, elsewhere)


@pytest.mark.parametrize(
    ("role", "manage", "prioritise", "position"),
    [
        ("officer", True, True, True),
        ("osc_officer", True, True, True),
        ("chair", False, True, True),
        ("member", False, False, True),
        ("responder", False, False, False),
        ("other_officer", False, False, False),
    ],
)
def test_what_each_role_may_do(request, role, manage, prioritise, position, joint):
    user = request.getfixturevalue(role)
    assert can(user, Perm.TOPIC_MANAGE, joint) is manage
    assert can(user, Perm.TOPIC_PRIORITISE, joint) is prioritise
    assert can(user, Perm.TOPIC_POSITION, joint) is position


def test_anonymous_sees_nothing(resident, joint):
    assert not topics_visible_to(resident).exists()
    assert not can(resident, Perm.TOPIC_VIEW, joint)
    assert not requests_visible_to(resident).exists()


def test_responder_sees_topic_once_a_request_to_their_body_is_issued(
    area, officer, responder, other_responder, joint
):
    req = InformationRequestFactory(topic=joint, recipient=area.trust)
    assert not topics_visible_to(responder).exists()
    assert not requests_visible_to(responder).exists()
    assert not can(responder, Perm.ITEM_VIEW, req)
    joint = services.topic_prioritise(
        topic=joint,
        by=officer,
        scores={
            "timely": 2,
            "organisational_priority": 2,
            "public_interest": 2,
            "influence": 1,
            "cost_effective": 1,
        },
    )
    joint = services.topic_request_information(topic=joint, by=officer)
    services.topic_issue_requests(topic=joint, by=officer)
    responder = type(responder).objects.get(pk=responder.pk)
    assert list(topics_visible_to(responder)) == [joint]
    assert can(responder, Perm.TOPIC_VIEW, joint)
    assert not can(responder, Perm.TOPIC_CASE_FILE, joint)
    assert list(requests_visible_to(responder)) == [req]
    assert not topics_visible_to(other_responder).exists()
    assert not recommendations_visible_to(other_responder).exists()


def test_a_new_membership_grants_and_a_removed_one_revokes(area, joint):
    user = UserFactory(username="newcomer")
    assert not can(user, Perm.TOPIC_VIEW, joint)
    membership = MembershipFactory(
        user=user, organisation=area.committee, role=Membership.Role.SUPPORT_OFFICER
    )
    user = type(user).objects.get(pk=user.pk)
    assert can(user, Perm.TOPIC_MANAGE, joint)
    services.membership_remove(membership=membership)
    user = type(user).objects.get(pk=user.pk)
    assert not can(user, Perm.TOPIC_VIEW, joint)
    assert not topics_visible_to(user).exists()


def test_a_committee_joining_the_partnership_gains_its_topics(area, joint):
    newcomer = OrganisationFactory(committee=True, name="Westby HOSC", slug="westby-hosc")
    user = UserFactory(username="westby-officer")
    MembershipFactory(user=user, organisation=newcomer, role=Membership.Role.SUPPORT_OFFICER)
    assert not can(user, Perm.TOPIC_VIEW, joint)
    services.partnership_set_committees(
        partnership=area.partnership, committees=[area.committee, newcomer]
    )
    user = type(user).objects.get(pk=user.pk)
    assert can(user, Perm.TOPIC_MANAGE, joint)
    services.partnership_set_committees(partnership=area.partnership, committees=[area.committee])
    user = type(user).objects.get(pk=user.pk)
    assert not can(user, Perm.TOPIC_VIEW, joint)


def test_sync_all_rebuilds_what_was_lost_and_is_idempotent(officer, joint):
    TopicAccess.objects.all().delete()
    assert not can(type(officer).objects.get(pk=officer.pk), Perm.TOPIC_VIEW, joint)
    summary = grants.sync_all()
    assert summary["grants_added"] > 0
    assert can(type(officer).objects.get(pk=officer.pk), Perm.TOPIC_MANAGE, joint)
    assert grants.sync_all() == {"grants_added": 0, "grants_removed": 0}


def test_sync_all_removes_a_stale_grant_and_mends_a_wrong_one(area, officer, joint):
    TopicAccess.objects.create(organisation=area.other_network, topic=joint, as_party=True)
    TopicAccess.objects.filter(topic=joint, organisation=area.network).update(as_recipient=True)
    assert grants.sync_all() == {"grants_added": 1, "grants_removed": 1}
    assert not TopicAccess.objects.filter(topic=joint, as_recipient=True).exists()


def test_one_access_row_per_body_and_topic(area, officer, joint, elsewhere):
    """27 guardian rows per topic were the largest table at national scale (4 M rows): the
    index holds one row per party body (and per recipient), whatever the roles."""
    grants.topic_grant(elsewhere)
    rows = set(TopicAccess.objects.values_list("organisation_id", "topic_id", "as_party"))
    assert rows == {
        *((org, joint.pk, True) for org in area.partnership.party_ids()),
        (area.other_network.pk, elsewhere.pk, True),
    }


@pytest.mark.parametrize("chunk_size", [1, 2, 1000])
def test_sync_all_works_a_chunk_of_topics_at_a_time(area, officer, joint, chunk_size):
    for n in range(3):
        TopicFactory(partnership=area.partnership, title=f"Topic {n}")
    wanted = set(TopicAccess.objects.values_list("organisation_id", "topic_id"))
    TopicAccess.objects.all().delete()
    summary = grants.sync_all(chunk_size=chunk_size)
    assert set(TopicAccess.objects.values_list("organisation_id", "topic_id")) == wanted
    assert summary == {"grants_added": len(wanted), "grants_removed": 0}


def test_sync_all_holds_one_chunk_of_topics_in_memory(area, officer, joint, monkeypatch):
    """The rebuild never asks for every topic at once: each read of topics is bounded by the
    chunk (a keyset query with LIMIT), so memory follows the chunk, not the country."""
    for n in range(4):
        TopicFactory(partnership=area.partnership, title=f"Topic {n}")
    seen = []
    real = grants._rebuild

    def spy(topics):
        seen.append(len(topics))
        return real(topics)

    monkeypatch.setattr(grants, "_rebuild", spy)
    grants.sync_all(chunk_size=2)
    assert seen == [2, 2, 1]


def test_sync_permissions_command(officer, joint, capsys):
    call_command("sync_permissions", "--chunk-size", "10")
    assert "Permissions synchronised" in capsys.readouterr().out


def test_sync_permissions_refuses_a_chunk_of_nothing(capsys):
    with pytest.raises(SystemExit):
        call_command("sync_permissions", "--chunk-size", "0")
    assert "at least 1" in capsys.readouterr().err


def test_topic_list_permissions_prefetch_in_one_query(officer, area, django_assert_num_queries):
    topics = [TopicFactory(partnership=area.partnership) for _ in range(5)]
    officer = type(officer).objects.get(pk=officer.pk)
    roles_by_body(officer)  # the roles are read once per request, by every page
    with django_assert_num_queries(1):
        prefetch_topic_perms(officer, topics)
        assert all(can(officer, Perm.TOPIC_MANAGE, t) for t in topics)


@pytest.mark.parametrize("role", ["officer", "osc_officer", "member", "chair", "other_officer"])
def test_the_list_agrees_with_the_single_answers(request, role, joint, elsewhere):
    """`visible` (one semi-join) and `can` (one topic) read the same index the same way."""
    user = request.getfixturevalue(role)
    for perm in ("view_topic", "view_case_file", "manage_topic", "prioritise_topic"):
        ours = {t.pk for t in Topic.objects.all() if can(user, Perm(perm), t)}
        listed = set(visible(user, Topic.objects.all(), Perm(perm)).values_list("pk", flat=True))
        assert ours == listed, perm
        fresh = type(user).objects.get(pk=user.pk)
        assert fresh.has_perm(f"scrutiny.{perm}", joint) is (joint.pk in ours)
