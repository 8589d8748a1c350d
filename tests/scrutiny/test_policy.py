"""The one policy: `can()` for every kind of actor on every kind of object, and `visible()`
giving the same answer row by row (docs/decisions/0011-one-policy.md)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.models import UserObjectPermission

from api.keys import issue_key
from api.models import ApiKey, Webhook
from api.webhooks import webhook_register
from protocols import services as joint
from protocols.models import AgendaItem, Meeting, Minutes, Paper, Protocol, ProtocolVersion
from scrutiny.casework import policy, services
from scrutiny.casework.models import (
    AnnualReport,
    AuthorisedRepresentative,
    ImplementationEvidence,
    InformationRequest,
    Membership,
    Organisation,
    ProviderResponse,
    Recommendation,
    Referral,
    RelevantDecision,
    ResponseAttachment,
    SafeguardingConcern,
    SuggesterContact,
    Topic,
    TopicSuggestion,
    Visit,
)
from scrutiny.casework.roles import ROLE_PERMS, ROLE_TOPIC_PERMS, STAFF_ROLES, Perm
from scrutiny.casework.suggestions import suggestion_submit
from tests.api.conftest import (
    after_the_issue_dates,  # noqa: F401 - a fixture
    build_casework,
)
from tests.factories import UserFactory, visit_build

# Responses come after the casework is issued (18 Dec 2026): these tests run after it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_the_issue_dates")]

ACTORS = [
    "anonymous",
    "officer",  # support officer of the involvement network (a party)
    "osc_officer",  # support officer of the scrutiny committee (the other party)
    "member",  # committee member of the scrutiny committee
    "responder",  # responder of the trust the casework is addressed to
    "key",  # the trust's API key (read and respond), for the responder
    "other_officer",  # support officer of an unrelated body
    "area_admin",  # area administrator of the involvement network: settings, never casework
    "superuser",
]
STAFF = {"officer", "osc_officer", "member", "superuser"}
OFFICERS = {"officer", "osc_officer", "superuser"}
TRUST = {"responder", "key", "superuser"}

# (object, permission) -> the actors that hold it. Every other actor does not.
EXPECTED = {
    ("topic", Perm.TOPIC_VIEW): STAFF | {"responder", "key"},
    ("topic", Perm.TOPIC_CASE_FILE): STAFF,
    ("topic", Perm.TOPIC_MANAGE): OFFICERS,
    ("topic", Perm.TOPIC_POSITION): STAFF,
    ("request", Perm.ITEM_VIEW): STAFF | {"responder", "key"},
    ("request", Perm.RESPOND): OFFICERS | {"responder", "key"},
    ("draft_request", Perm.ITEM_VIEW): STAFF,
    ("draft_request", Perm.RESPOND): OFFICERS,
    ("recommendation", Perm.ITEM_VIEW): STAFF | {"responder", "key"},
    # Only the chair of the body making it (no actor here is that chair; officers never are).
    ("recommendation", Perm.RECOMMENDATION_AGREE): {"superuser"},
    ("referral", Perm.TOPIC_CASE_FILE): STAFF,
    ("referral", Perm.REFERRAL_ACKNOWLEDGE): {"osc_officer", "superuser"},
    # The network's own record of its decision to refer (SI 2008/528 reg 2): its staff only.
    ("decision", Perm.TOPIC_CASE_FILE): {"officer", "superuser"},
    ("decision", Perm.TOPIC_MANAGE): {"officer", "superuser"},
    ("annual_report", Perm.TOPIC_CASE_FILE): {"officer", "superuser"},
    ("annual_report", Perm.TOPIC_MANAGE): {"officer", "superuser"},
    ("response", Perm.ITEM_VIEW): STAFF | {"responder", "key"},
    ("attachment", Perm.ITEM_VIEW): STAFF | {"responder", "key"},
    ("suggestion", Perm.SUGGESTION_MODERATE): OFFICERS,
    ("contact", Perm.SUGGESTION_MODERATE): OFFICERS,
    ("meeting", Perm.MEETING_VIEW): STAFF,  # unpublished
    ("meeting", Perm.MEETING_IN_FULL): STAFF,
    ("meeting", Perm.MEETING_MANAGE): OFFICERS,
    ("published_meeting", Perm.MEETING_VIEW): set(ACTORS),
    ("exempt_item", Perm.MEETING_VIEW): STAFF,
    ("public_item", Perm.MEETING_VIEW): set(ACTORS),
    ("exempt_paper", Perm.PAPER_VIEW): STAFF,
    ("public_paper", Perm.PAPER_VIEW): set(ACTORS),
    ("protocol", Perm.PROTOCOL_VIEW): STAFF,  # only a draft version so far
    ("protocol", Perm.PROTOCOL_MANAGE): OFFICERS,
    ("draft_version", Perm.PROTOCOL_VIEW): STAFF,
    ("draft_version", Perm.PROTOCOL_MANAGE): OFFICERS,
    ("webhook", Perm.WEBHOOK_MANAGE): TRUST,
    ("api_key", Perm.KEY_MANAGE): {"responder", "superuser"},  # never through a key
    ("trust", Perm.KEY_MANAGE): {"responder", "superuser"},
    ("trust", Perm.HEALTH_BODY_ACT): TRUST,
    ("network", Perm.TOPIC_RAISE): {"officer", "superuser"},
    ("network", Perm.HEALTH_BODY_ACT): set(),  # a health body's permission only
    ("partnership", Perm.MEETING_MANAGE): OFFICERS,
    ("partnership", Perm.TOPIC_CASE_FILE): STAFF,
    # Enter and View: the network's; the provider from the factual-accuracy check on.
    ("visit", Perm.ITEM_VIEW): {"officer", "responder", "key", "superuser"},
    ("visit", Perm.RESPOND): {"officer", "responder", "key", "superuser"},
    ("visit", Perm.VISIT_MANAGE): {"officer", "superuser"},
    ("early_visit", Perm.ITEM_VIEW): {"officer", "superuser"},
    ("early_visit", Perm.RESPOND): {"officer", "superuser"},
    ("representative", Perm.VISIT_MANAGE): {"officer", "superuser"},
    ("safeguarding", Perm.SAFEGUARDING_VIEW): {"officer", "superuser"},
    ("network", Perm.SAFEGUARDING_VIEW): {"officer", "superuser"},
    # Area administration (issue 16): the administrator's own body and its partnerships.
    ("network", Perm.AREA_ADMINISTER): {"area_admin", "superuser"},
    ("partnership", Perm.AREA_ADMINISTER): {"area_admin", "superuser"},
    ("trust", Perm.AREA_ADMINISTER): {"superuser"},
}


@pytest.fixture
def world(settings, tmp_path, area, officer, osc_officer, member, responder, other_officer):
    settings.MEDIA_ROOT = tmp_path / "media"
    work = build_casework(area, officer)
    response = services.provider_response_record(
        subject=work.req,
        by=responder,
        channel="api",
        text="40 beds",
        outcome="answered",
        attachments=[SimpleUploadedFile("beds.txt", b"40", content_type="text/plain")],
    )
    referral_topic = services.topic_raise(
        by=officer,
        title="Referred: discharge delays",
        summary="Patients wait for social care",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
    )
    suggestion = suggestion_submit(
        title="Dentists",
        description="No NHS dentist in town",
        partnership=area.partnership,
        name="A Resident",
        email="resident@example.org",
    )
    future = dt.date.today() + dt.timedelta(days=60)
    meeting = joint.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Planning",
        date=future,
        start_time=dt.time(18),
        place="Town Hall",
        confirm=True,
    )
    exempt_item = joint.agenda_item_add(
        meeting=meeting,
        by=officer,
        title="Contract",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms.",
    )
    exempt_paper = joint.paper_add(
        item=exempt_item,
        by=officer,
        file=SimpleUploadedFile("terms.txt", b"x", content_type="text/plain"),
    )
    published = joint.meeting_create(
        by=officer,
        partnership=area.partnership,
        title="Public meeting",
        date=future + dt.timedelta(days=7),
        start_time=dt.time(18),
        place="Town Hall",
        confirm=True,
    )
    public_item = joint.agenda_item_add(meeting=published, by=officer, title="Stroke services")
    public_paper = joint.paper_add(
        item=public_item,
        by=officer,
        file=SimpleUploadedFile("stroke.txt", b"x", content_type="text/plain"),
    )
    joint.meeting_publish_agenda(meeting=published, by=officer)
    protocol = joint.protocol_create(partnership=area.partnership, by=officer, title="Protocol")
    key, _ = issue_key(responder, area.trust, "Bridge", ["read", "respond"])
    hook, _ = webhook_register(organisation=area.trust, url="https://t.example.org/", by=responder)
    superuser = UserFactory(username="admin", is_superuser=True, is_staff=True)
    visit = visit_build(area, officer, state="accuracy_check")
    early_visit = visit_build(area, officer, state="report_drafted", recommendation=False)
    concern = services.safeguarding_concern_record(
        visit=visit,
        by=officer,
        raised_by="Ann Visitor",
        found_on=visit.carried_out_on,
        description="Seen on the visit",
        referred_to="The council",
        referred_on=visit.carried_out_on,
    )
    objects = {
        "topic": work.topic,
        "request": work.req,
        "draft_request": work.draft_req,
        "recommendation": work.rec,
        "referral": Referral.objects.get(topic=referral_topic),
        "decision": RelevantDecision.objects.get(topic=referral_topic, kind="refer_to_osc"),
        "annual_report": services.annual_report_start(
            body=area.network,
            year=2025,
            starts_on=dt.date(2025, 4, 1),
            ends_on=dt.date(2026, 3, 31),
            by=officer,
        ),
        "response": response,
        "attachment": response.attachments.get(),
        "suggestion": suggestion,
        "contact": suggestion.contact,
        "meeting": meeting,
        "published_meeting": Meeting.objects.get(pk=published.pk),
        "exempt_item": exempt_item,
        "public_item": public_item,
        "exempt_paper": exempt_paper,
        "public_paper": public_paper,
        "protocol": protocol,
        "draft_version": protocol.versions.get(),
        "webhook": hook,
        "api_key": key,
        "trust": area.trust,
        "network": area.network,
        "partnership": area.partnership,
        "visit": visit,
        "early_visit": early_visit,
        "representative": visit.team.get(),
        "safeguarding": concern,
    }
    actors = {
        "anonymous": AnonymousUser(),
        "officer": officer,
        "osc_officer": osc_officer,
        "member": member,
        "responder": responder,
        "key": ApiKey.objects.select_related("user", "organisation").get(pk=key.pk),
        "other_officer": other_officer,
        "area_admin": _area_admin(area),
        "superuser": superuser,
    }
    return SimpleNamespace(objects=objects, actors=actors)


def _area_admin(area):
    user = UserFactory(username="area-admin")
    services.membership_add(user=user, organisation=area.network, role=Membership.Role.AREA_ADMIN)
    return user


def _fresh(actor):
    """A new instance, so no cached roles or permissions carry over between questions."""
    if isinstance(actor, ApiKey):
        return ApiKey.objects.select_related("user", "organisation").get(pk=actor.pk)
    if getattr(actor, "pk", None):
        return type(actor).objects.get(pk=actor.pk)
    return actor


@pytest.mark.parametrize(("obj_name", "perm"), list(EXPECTED))
def test_can_and_visible_for_every_actor_and_object(world, obj_name, perm):
    """For each object and permission, over every kind of actor: `can` gives the expected
    answer, and `visible` keeps the row exactly when `can` says yes."""
    obj = world.objects[obj_name]
    model = type(obj)
    expected = {name: name in EXPECTED[(obj_name, perm)] for name in ACTORS}
    answers, rows = {}, {}
    for name in ACTORS:
        fresh = model._default_manager.get(pk=obj.pk)
        answers[name] = policy.can(_fresh(world.actors[name]), perm, fresh)
        found = policy.visible(_fresh(world.actors[name]), model._default_manager.all(), perm)
        rows[name] = found.filter(pk=obj.pk).exists()
    assert answers == expected
    assert rows == expected


@pytest.mark.parametrize("actor_name", ACTORS)
def test_has_perm_asks_the_policy(world, actor_name):
    """`user.has_perm(perm, obj)` (the FSM permission=, the admin) is the policy's answer."""
    user = world.actors[actor_name]
    if actor_name == "key":
        user = user.user  # has_perm is asked of people; a key acts for its person
    topic = world.objects["topic"]
    expected = actor_name in EXPECTED[("topic", Perm.TOPIC_MANAGE)]
    assert user.has_perm(Perm.TOPIC_MANAGE, topic) is expected
    assert user.has_perm(f"scrutiny.{Perm.TOPIC_MANAGE}", topic) is expected
    assert user.has_perm(Perm.TOPIC_MANAGE) is (actor_name == "superuser")  # not "anywhere"


def test_no_other_backend_grants_a_policy_permission(world, other_officer):
    """guardian's backend comes after the policy's; a stray guardian row for one of the
    policy's permissions grants nothing."""
    request = world.objects["request"]
    ctype = ContentType.objects.get_for_model(InformationRequest)
    stray, _ = Permission.objects.get_or_create(
        content_type=ctype, codename=Perm.ITEM_VIEW.value, defaults={"name": "stray"}
    )
    UserObjectPermission.objects.assign_perm(stray, other_officer, request)
    fresh = type(other_officer).objects.get(pk=other_officer.pk)
    assert not fresh.has_perm(Perm.ITEM_VIEW, request)
    assert not policy.can(fresh, Perm.ITEM_VIEW, request)


def test_the_querysets_visible_to_is_the_policy(world):
    responder = _fresh(world.actors["responder"])
    for model in (InformationRequest, Recommendation):
        assert set(model.all_objects.visible_to(responder)) == set(
            policy.visible(responder, model.all_objects.all())
        )
    assert set(ProviderResponse.objects.visible_to(responder)) == {world.objects["response"]}
    officer = _fresh(world.actors["officer"])
    assert list(TopicSuggestion.objects.visible_to(officer)) == [world.objects["suggestion"]]
    assert list(SuggesterContact.all_objects.visible_to(officer)) == [world.objects["contact"]]
    assert not SuggesterContact.all_objects.visible_to(_fresh(world.actors["responder"])).exists()


def test_sensitive_models_have_no_bare_objects_manager():
    for model in (InformationRequest, Recommendation, SuggesterContact):
        assert not hasattr(model, "objects"), model
        assert model._default_manager.name == "all_objects"


def test_a_read_only_key_may_read_but_not_respond(area, responder):
    key, _ = issue_key(responder, area.trust, "Reader", ["read"])
    assert policy.can(key, Perm.API_READ)
    assert not policy.can(key, Perm.API_RESPOND)
    key.revoked_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert not policy.can(key, Perm.API_READ)
    assert policy.body_ids(key, Perm.HEALTH_BODY_ACT) == set()


def test_a_key_acts_only_for_its_own_body(area, responder, other_responder):
    """A person who is a responder of two trusts: each key acts for its own trust only."""
    services.membership_add(user=responder, organisation=area.other_trust, role="responder")
    key, _ = issue_key(responder, area.trust, "Bridge", ["read", "respond"])
    fresh = type(responder).objects.get(pk=responder.pk)
    assert policy.body_ids(fresh, Perm.HEALTH_BODY_ACT) == {area.trust.pk, area.other_trust.pk}
    assert policy.body_ids(key, Perm.HEALTH_BODY_ACT) == {area.trust.pk}


def test_an_unknown_permission_for_a_kind_fails_loudly(world):
    with pytest.raises(ValueError):
        policy.can(world.actors["officer"], Perm.PAPER_VIEW, world.objects["topic"])
    with pytest.raises(TypeError):
        policy.can(world.actors["officer"], Perm.TOPIC_VIEW, world.actors["officer"])


def test_every_kind_the_policy_answers_for_is_a_model():
    labels = {m._meta.label for m in (InformationRequest, Recommendation, ProviderResponse)}
    labels |= {m._meta.label for m in (ResponseAttachment, Referral, Topic, TopicSuggestion)}
    labels |= {m._meta.label for m in (SuggesterContact, Organisation, ImplementationEvidence)}
    labels |= {RelevantDecision._meta.label, AnnualReport._meta.label}
    labels |= {m._meta.label for m in (Meeting, AgendaItem, Paper, Protocol, ProtocolVersion)}
    labels |= {m._meta.label for m in (ApiKey, Webhook, Minutes)}
    labels |= {m._meta.label for m in (ApiKey, Webhook)}
    labels |= {m._meta.label for m in (Visit, AuthorisedRepresentative, SafeguardingConcern)}
    assert labels <= set(policy.RULES)
    assert set(policy.RULES) - labels == {
        "scrutiny.Partnership",
        "api.WebhookDelivery",
        "scrutiny.Consultation",
        "scrutiny.ConsultationDocument",
        "scrutiny.CallInRequest",
        "scrutiny.HealthBodyPlan",
        "scrutiny.BoardMeeting",
    }


def test_the_role_table_is_the_membership_roles():
    assert set(ROLE_PERMS) == set(Membership.Role.values)
    assert set(Membership.Role.values) - {
        Membership.Role.RESPONDER,
        Membership.Role.AREA_ADMIN,
    } == (STAFF_ROLES)
    assert ROLE_TOPIC_PERMS[Membership.Role.RESPONDER] == (Perm.TOPIC_VIEW,)
