"""The one permission module: guardian grants derived from memberships and partnerships."""

import pytest
from django.core.management import call_command

from scrutiny.casework import grants, services
from scrutiny.casework.models import Membership, Topic
from scrutiny.casework.permissions import (
    Perm,
    TopicGroupObjectPermission,
    can,
    recommendations_visible_to,
    requests_visible_to,
    topics_visible_to,
)
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
    TopicGroupObjectPermission.objects.all().delete()
    officer.groups.clear()
    assert not can(type(officer).objects.get(pk=officer.pk), Perm.TOPIC_VIEW, joint)
    summary = grants.sync_all()
    assert summary["grants_added"] > 0
    assert summary["memberships_added"] == 1
    assert can(type(officer).objects.get(pk=officer.pk), Perm.TOPIC_MANAGE, joint)
    again = grants.sync_all()
    assert again == {
        "memberships_added": 0,
        "memberships_removed": 0,
        "grants_added": 0,
        "grants_removed": 0,
    }


def test_sync_all_removes_a_stale_grant(area, officer, joint):
    stray = grants.role_groups([(area.other_network.pk, "support_officer")])
    perm = grants.topic_permissions()["manage_topic"]
    TopicGroupObjectPermission.objects.create(
        group=stray[(area.other_network.pk, "support_officer")],
        permission=perm,
        content_object=joint,
    )
    assert grants.sync_all()["grants_removed"] == 1


def test_sync_permissions_command(officer, joint, capsys):
    call_command("sync_permissions")
    assert "Permissions synchronised" in capsys.readouterr().out


def test_topic_list_permissions_prefetch_in_one_query(officer, area, django_assert_num_queries):
    from scrutiny.casework.permissions import prefetch_topic_perms

    topics = [TopicFactory(partnership=area.partnership) for _ in range(5)]
    officer = type(officer).objects.get(pk=officer.pk)
    officer._cf_roles_by_body = {}
    with django_assert_num_queries(1):
        prefetch_topic_perms(officer, topics)
        assert all(can(officer, Perm.TOPIC_MANAGE, t) for t in topics)


@pytest.mark.parametrize("role", ["officer", "osc_officer", "member", "chair", "other_officer"])
def test_guardian_itself_agrees_with_the_selectors(request, role, joint, elsewhere):
    """The rows are real guardian permissions: its backend and shortcuts give the same answers."""
    from guardian.shortcuts import get_objects_for_user

    user = request.getfixturevalue(role)
    for perm in ("view_topic", "manage_topic", "prioritise_topic", "record_position"):
        ours = {t.pk for t in Topic.objects.all() if can(user, Perm(perm), t)}
        theirs = set(
            get_objects_for_user(
                user, f"scrutiny.{perm}", klass=Topic, accept_global_perms=False
            ).values_list("pk", flat=True)
        )
        assert ours == theirs, perm
        fresh = type(user).objects.get(pk=user.pk)
        assert fresh.has_perm(f"scrutiny.{perm}", joint) is (joint.pk in ours)
