"""Casework built through the services for the staff page tests."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from scrutiny.casework import services
from scrutiny.casework.models import Membership, Topic
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 1,
    "influence": 1,
    "cost_effective": 1,
}


def walk_to_response_due(topic: Topic, officer, recipient):
    """Prioritise, resolve to ask, draft one request to `recipient` and issue it; then draft a
    recommendation (left as a draft)."""
    topic = services.topic_prioritise(topic=topic, by=officer, scores=SCORES)
    topic = services.topic_request_information(topic=topic, by=officer)
    request = services.information_request_draft(
        topic=topic, by=officer, recipient=recipient, question="How many beds?"
    )
    topic = services.topic_issue_requests(topic=topic, by=officer)
    request.refresh_from_db()
    recommendation = services.recommendation_draft(
        topic=topic, by=officer, recipient=recipient, text="Keep the unit open."
    )
    return topic, request, recommendation


def build_cases(area, officer, other_officer):
    """Three topics in 'response due', each request answered by a letter (attached): one of
    the LINk alone ("own" for its officer), one joint to the Northby partnership (a referral,
    "partner"), one of another partnership ("other")."""
    own = services.topic_raise(
        by=officer,
        title="Dentistry access",
        summary="No NHS dentists",
        body=area.network,
        lead_body=area.network,
    )
    joint = services.topic_raise(
        by=officer,
        title="Stroke unit",
        summary="Moving the unit",
        partnership=area.partnership,
        lead_body=area.network,
        source=Topic.Source.REFERRAL,
    )
    other_committee = OrganisationFactory(committee=True, name="Southby HOSC", slug="southby-hosc")
    other_partnership = PartnershipFactory(
        name="Southby",
        slug="southby",
        involvement_network=area.other_network,
        scrutiny_committees=[other_committee],
    )
    other = services.topic_raise(
        by=other_officer,
        title="Southby maternity",
        summary="Closures",
        partnership=other_partnership,
        lead_body=area.other_network,
        source=Topic.Source.REFERRAL,
    )
    own, own_req, own_rec = walk_to_response_due(own, officer, area.trust)
    joint, joint_req, joint_rec = walk_to_response_due(joint, officer, area.trust)
    other, other_req, other_rec = walk_to_response_due(other, other_officer, area.other_trust)
    attachments = {}
    for scope, req, by in (
        ("own", own_req, officer),
        ("partner", joint_req, officer),
        ("other", other_req, other_officer),
    ):
        response = services.provider_response_record(
            subject=req,
            by=by,
            channel="letter",
            text="Letter attached",
            outcome="answered",
            attachments=[SimpleUploadedFile("letter.pdf", PDF, "application/pdf")],
        )
        attachments[scope] = response.attachments.get()
    return SimpleNamespace(
        topics={"own": own, "partner": joint, "other": other},
        requests={"own": own_req, "partner": joint_req, "other": other_req},
        recommendations={"own": own_rec, "partner": joint_rec, "other": other_rec},
        referrals={"partner": joint.referral, "other": other.referral},
        attachments=attachments,
        other_partnership=other_partnership,
    )


def staff_user(org, role=Membership.Role.SUPPORT_OFFICER, username=None):
    user = UserFactory(username=username or f"{org.slug}-{role}")
    MembershipFactory(user=user, organisation=org, role=role)
    return user
