"""Factories for every test package. Build casework through services where a lifecycle matters."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from protocols import services as protocol_services
from scrutiny.casework import grants, services
from scrutiny.casework.models import (
    AuthorisedRepresentative,
    InformationRequest,
    Membership,
    Organisation,
    Partnership,
    PrioritisationFramework,
    Recommendation,
    Site,
    Topic,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.HEALTH_BODY
    health_body_kind = Organisation.HealthBodyKind.NHS_TRUST

    class Params:
        network = factory.Trait(kind=Organisation.Kind.INVOLVEMENT_NETWORK, health_body_kind="")
        committee = factory.Trait(kind=Organisation.Kind.SCRUTINY_COMMITTEE, health_body_kind="")


def topic_framework():
    return PrioritisationFramework.objects.get(slug="topic")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    involvement_network = factory.SubFactory(OrganisationFactory, network=True)
    framework = factory.LazyFunction(topic_framework)

    @factory.post_generation
    def scrutiny_committees(self, create, extracted, **kwargs):
        if not create:
            return
        committees = extracted or [OrganisationFactory(committee=True)]
        services.partnership_set_committees(partnership=self, committees=committees)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory, network=True)
    role = Membership.Role.SUPPORT_OFFICER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the service, so the role's object permissions are granted as in real use.
        return services.membership_add(**kwargs)


class TopicFactory(factory.django.DjangoModelFactory):
    """A raised joint topic. Move it on with the services, never by setting `state`."""

    class Meta:
        model = Topic

    title = factory.Sequence(lambda n: f"Topic {n}")
    summary = "What residents told us."
    partnership = factory.SubFactory(PartnershipFactory)
    lead_body = factory.LazyAttribute(lambda t: t.partnership.involvement_network)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        topic = super()._create(model_class, *args, **kwargs)
        grants.topic_grant(topic)  # as topic_raise does
        return topic


class InformationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationRequest

    topic = factory.SubFactory(TopicFactory)
    requested_by = factory.LazyAttribute(lambda r: r.topic.lead_body)
    recipient = factory.SubFactory(OrganisationFactory)
    question = "How many patients waited over 18 weeks?"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    topic = factory.SubFactory(TopicFactory)
    made_by = factory.LazyAttribute(lambda r: r.topic.lead_body)
    recipient = factory.SubFactory(OrganisationFactory)
    text = "Publish waiting times by ward each month."


def agree_recommendations(topic, *, on=None):
    """Agree every draft recommendation of `topic` by chair's action, so that it can be issued
    (set-up for tests about what comes after; the agreement itself is tested in
    tests/scrutiny/test_recommendation_agreement.py). The chair is an administrator, so that no
    body gains a chair (chairs receive escalations)."""
    chair = UserFactory(username="agreeing-chair", is_superuser=True, is_staff=True)
    agreed = []
    for rec in Recommendation.all_objects.filter(topic=topic).drafts().order_by("pk"):
        agreed.append(
            services.recommendation_agree_by_chair(
                recommendation=rec, by=chair, reason="Agreed for the test.", on=on
            )
        )
    return agreed


# --- Enter and View ----------------------------------------------------------------------------

VISIT_STEPS = (
    "planned",
    "announced",
    "carried_out",
    "report_drafted",
    "accuracy_check",
    "published",
    "responded",
)


def visit_build(area, officer, *, state="planned", today=None, recommendation=True, body=None):
    """A visit of `area.network` to a ward of `area.trust`, walked through the services to
    `state` (one of VISIT_STEPS), with an authorised representative on its team and, once
    carried out, a report and (with `recommendation`) one recommendation, agreed by chair's
    action. Dates run back from `today` so that every step is in the past. `body`: the provider
    (default `area.trust`)."""
    today = today or timezone.localdate()
    site, _ = Site.objects.get_or_create(
        body=body or area.trust, name="Ward 7", defaults={"address": "1 Hospital Road, Northby"}
    )
    rep, _ = AuthorisedRepresentative.objects.get_or_create(
        body=area.network, name="Ann Visitor", defaults={"authorised_on": dt.date(2020, 1, 6)}
    )
    step = VISIT_STEPS.index(state)
    planned_for = today - dt.timedelta(days=30) if step >= 2 else today + dt.timedelta(days=14)
    visit = services.visit_plan(
        by=officer,
        network=area.network,
        site=site,
        planned_for=planned_for,
        purpose="Residents told us about long waits for discharge.",
        team=[rep],
    )
    if step >= 1:
        visit = services.visit_announce(
            visit=visit, by=officer, on=planned_for - dt.timedelta(days=7)
        )
    if step >= 2:
        visit = services.visit_carry_out(
            visit=visit, by=officer, on=planned_for, findings="Staff were kind; waits long."
        )
        visit = services.visit_save_report(
            visit=visit, by=officer, report="We visited Ward 7 and spoke to twelve patients."
        )
        if recommendation:
            services.visit_recommendation_draft(
                visit=visit, by=officer, text="Start discharge planning on admission."
            )
            agree_recommendations(visit.topic)
    if step >= 3:
        visit = services.visit_draft_report(visit=visit, by=officer)
    if step >= 4:
        visit = services.visit_send_for_accuracy_check(
            visit=visit, by=officer, on=planned_for + dt.timedelta(days=7)
        )
    if step >= 5:
        visit = services.visit_record_accuracy_comments(
            visit=visit, by=officer, text="Ward 7 has 24 beds.", on=planned_for + dt.timedelta(9)
        )
        visit = services.visit_publish(
            visit=visit, by=officer, on=planned_for + dt.timedelta(days=14)
        )
    if step >= 6:
        visit = services.visit_record_response(
            visit=visit, by=officer, text="We will start planning on admission.", on=today
        )
    return visit


def consultation_recorded(*, by, body, committee, received_on=None, **values):
    """A health body's consultation as the committee's officer `by` records it (received), with
    dates after `received_on` (default: 1 October 2026)."""
    received_on = received_on or dt.date(2026, 10, 1)
    defaults = {
        "title": "Moving the stroke unit",
        "what_changes": "Hyper-acute stroke care moves to one site.",
        "who_is_affected": "Residents of Northby who have a stroke.",
        "received_on": received_on,
        "comments_due_on": received_on + dt.timedelta(days=42),
        "proposed_decision_on": received_on + dt.timedelta(days=70),
    }
    defaults.update(values)
    return services.consultation_record(by=by, body=body, committee=committee, **defaults)


def consultation_minuted(*, by, consultation, substantial=True, on=None):
    """The committee's view on `consultation`, decided at a held meeting of the committee and
    minuted (through the joint-working services, as the staff pages do)."""
    on = on or consultation.received_on + dt.timedelta(days=14)
    meeting = protocol_services.meeting_create(
        by=by,
        body=consultation.committee,
        title="Health scrutiny committee",
        date=on,
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
        today=on,
    )
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=by, title="Stroke unit consultation", topic=consultation.topic
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=by)
    item = protocol_services.item_record_decision(
        item=item, by=by, decision="Resolved that the proposal is a substantial variation."
    )
    return protocol_services.item_assess_consultation(
        item=item,
        consultation=consultation,
        by=by,
        substantial=substantial,
        reason="It changes where everyone in the area is treated.",
    )
