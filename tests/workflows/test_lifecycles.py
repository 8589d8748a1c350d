"""Every lifecycle move goes through the one transition service, and logs.

1. The walk: every model with an FSM field (`apps.get_models()`), each FSM field, each
   transition, driven through `transition_apply` on a minimal instance from the table of
   builders below; each move writes exactly one log row with the right source and target.
   A transition without a builder fails the walk, so a new lifecycle move cannot skip it.
2. The scan: no code outside migrations writes a lifecycle field behind the service's back
   (`.update()`, `.bulk_update()`, `set_fields`, or an assignment outside a transition).
3. The data migrations that set the new lifecycle fields from the timestamps they replace.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_fsm import State

from protocols import services as protocol_services
from protocols.models import Meeting, ProtocolSignOff
from scrutiny.casework import publication, services, suggestions
from scrutiny.casework.models import (
    AuthorisedRepresentative,
    PrioritisationFramework,
    Site,
    Topic,
)
from tests.factories import (
    UserFactory,
    agree_recommendations,
    consultation_minuted,
    consultation_recorded,
)
from tests.protocols.builders import build_minutes
from workflows.audit import event_type_for_transition
from workflows.models import AuditEvent, DeadlineRule
from workflows.services import fsm_fields, transition_apply

ROOT = Path(__file__).resolve().parents[2]
SCORES = {
    "timely": 2,
    "organisational_priority": 2,
    "public_interest": 2,
    "influence": 1,
    "cost_effective": 1,
}
TODAY = dt.date(2026, 11, 26)


# --- 1. The walk -------------------------------------------------------------------------------


def declared_transitions() -> set[tuple[str, str, str]]:
    """(model label, FSM field, transition name) for every lifecycle move in the product."""
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in fsm_fields(model):
            for t in f.get_all_transitions(model):
                found.add((model._meta.label, f.name, t.name))
    return found


@dataclass
class Case:
    """A minimal instance in a source state of the transition, and what to apply it with."""

    instance: object
    kwargs: dict = field(default_factory=dict)
    target: str | None = None  # only for a transition whose target is computed (RETURN_VALUE)


@dataclass
class Ctx:
    area: object
    officer: object
    osc_officer: object


def _raised(c, **kw):
    return services.topic_raise(
        by=c.officer,
        title="Stroke services",
        summary="Moving the unit",
        partnership=c.area.partnership,
        lead_body=c.area.network,
        **kw,
    )


def _decision(c, reasons=""):
    decision = _raised(c, source="referral").referral.topic.decisions.get()
    if reasons:
        services.decision_edit(
            decision=decision, by=c.officer, statement=decision.statement, reasons=reasons
        )
    return decision


def _annual_report(c):
    """The network's draft report for 2025/26 with its foreword written."""
    report = services.annual_report_start(
        body=c.area.network,
        year=2025,
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2026, 3, 31),
        by=c.officer,
    )
    section = report.sections.order_by("position").first()
    services.annual_report_section_save(
        report=report, by=c.officer, section=section, heading="Foreword", text="Our year."
    )
    return report


def _minutes(c, target):
    """Minutes of a held committee meeting taken to `target` (tests/protocols/builders.py);
    the built governance is kept on the function for a builder that needs a later item."""
    _minutes.built = build_minutes(c.area, c.osc_officer, target=target)
    return _minutes.built.minutes


def _prioritised(c):
    return services.topic_prioritise(topic=_raised(c), by=c.officer, scores=SCORES)


def _drafted_request(c):
    topic = services.topic_request_information(topic=_prioritised(c), by=c.officer)
    request = services.information_request_draft(
        topic=topic, by=c.officer, recipient=c.area.trust, question="How many beds?"
    )
    return topic, request


def _issued_request(c):
    topic, request = _drafted_request(c)
    services.topic_issue_requests(topic=topic, by=c.officer)
    request.refresh_from_db()
    return request


def _drafted_recommendation(c):
    topic = _prioritised(c)
    rec = services.recommendation_draft(
        topic=topic, by=c.officer, recipient=c.area.trust, text="Keep the unit open."
    )
    return topic, rec


def _agreed_recommendation(c):
    topic, rec = _drafted_recommendation(c)
    agree_recommendations(topic)
    rec.refresh_from_db()
    return topic, rec


def _minuted_item(c, topic):
    meeting = _meeting(c, date=TODAY - dt.timedelta(days=1))
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=c.officer, title="Keep the unit open", topic=topic
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=c.officer)
    return protocol_services.item_record_decision(item=item, by=c.officer, decision="Agreed.")


def _issued_recommendation(c):
    topic, rec = _drafted_recommendation(c)
    agree_recommendations(topic)
    services.topic_make_recommendations(topic=topic, by=c.officer)
    rec.refresh_from_db()
    return rec


def _accepted_recommendation(c):
    rec = _issued_recommendation(c)
    services.provider_response_record(
        subject=rec, by=c.officer, channel="letter", text="Agreed.", outcome="accepted"
    )
    rec.refresh_from_db()
    return rec


def _recommendation_made(c, *, issue: bool):
    topic, _rec = _agreed_recommendation(c)
    if issue:
        return services.topic_make_recommendations(topic=topic, by=c.officer)
    # The move alone: the agreed ones stay unissued, so nothing awaits a response.
    return transition_apply(instance=topic, name="make_recommendations", by=c.officer)


def _protocol_draft(c):
    protocol = protocol_services.protocol_create(
        partnership=c.area.partnership, by=c.officer, title="Protocol", purpose="Together."
    )
    return protocol.versions.get()


def _protocol_agreed(c):
    version = _protocol_draft(c)
    protocol_services.protocol_version_sign_off(
        version=version, by=c.officer, organisation=c.area.network
    )
    return protocol_services.protocol_version_sign_off(
        version=version, by=c.osc_officer, organisation=c.area.committee
    )


def _protocol_every_party_signed(c):
    version = _protocol_draft(c)
    for org, user in ((c.area.network, c.officer), (c.area.committee, c.osc_officer)):
        ProtocolSignOff.objects.create(
            version=version, organisation=org, signed_by=user, signatory_name=user.username
        )
    return version


def _meeting(c, *, date=dt.date(2027, 1, 5)):
    return protocol_services.meeting_create(
        by=c.officer,
        partnership=c.area.partnership,
        title="Joint scrutiny meeting",
        date=date,
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )


def _suggestion(c):
    return suggestions.suggestion_submit(
        title="Hearing tests", description="Long waits", partnership=c.area.partnership
    )


def _rule(slug):
    return DeadlineRule.objects.get(slug=slug)


def _visit(c, *, planned_for=TODAY + dt.timedelta(days=7)):
    site = Site.objects.create(body=c.area.trust, name="Ward 7", address="1 Hospital Road")
    rep = AuthorisedRepresentative.objects.create(
        body=c.area.network, name="Ann Visitor", authorised_on=dt.date(2026, 1, 5)
    )
    return services.visit_plan(
        by=c.officer,
        network=c.area.network,
        site=site,
        planned_for=planned_for,
        purpose="Discharge planning",
        team=[rep],
    )


def _visit_carried_out(c):
    visit = _visit(c, planned_for=TODAY - dt.timedelta(days=2))
    visit = services.visit_announce(visit=visit, by=c.officer, on=TODAY - dt.timedelta(days=9))
    visit = services.visit_carry_out(visit=visit, by=c.officer, on=TODAY - dt.timedelta(days=2))
    return services.visit_save_report(visit=visit, by=c.officer, report="We saw the ward.")


def _visit_in_check(c, *, commented=True):
    visit = services.visit_draft_report(visit=_visit_carried_out(c), by=c.officer)
    visit = services.visit_send_for_accuracy_check(visit=visit, by=c.officer, on=TODAY)
    if commented:
        visit = services.visit_record_accuracy_comments(
            visit=visit, by=c.officer, text="Ward 7 has 24 beds, not 20.", on=TODAY
        )
    return visit


def _visit_published(c):
    return services.visit_publish(visit=_visit_in_check(c), by=c.officer, on=TODAY)


def _consultation(c):
    return consultation_recorded(by=c.osc_officer, body=c.area.trust, committee=c.area.committee)


def _consultation_minute(c, consultation):
    """A minuted agenda item on the consultation, its view not yet recorded."""
    meeting = protocol_services.meeting_create(
        by=c.osc_officer,
        body=c.area.committee,
        title="Health scrutiny committee",
        date=dt.date(2026, 10, 15),
        start_time=dt.time(18, 0),
        place="Town Hall",
        confirm=True,
    )
    item = protocol_services.agenda_item_add(
        meeting=meeting, by=c.osc_officer, title="Stroke unit", topic=consultation.topic
    )
    protocol_services.meeting_mark_held(meeting=meeting, by=c.osc_officer)
    return protocol_services.item_record_decision(item=item, by=c.osc_officer, decision="Agreed.")


def _consultation_received_with_minute(c):
    consultation = _consultation(c)
    consultation.minute_item_id = _consultation_minute(c, consultation).pk
    consultation.save(update_fields=["minute_item_id"])
    return consultation


def _substantial(c):
    return consultation_minuted(by=c.osc_officer, consultation=_consultation(c))


def _call_in(c):
    consultation = services.consultation_send_comments(
        consultation=_substantial(c), by=c.osc_officer, comments="Keep it.", on=TODAY
    )
    return services.call_in_request_record(
        consultation=consultation,
        by=c.osc_officer,
        requested_by_name="Keep Northby Stroke Unit campaign",
        requested_on=TODAY,
        ground="process",
        grounds="The consultation left out the travel times.",
    )


def _called_in(c):
    return services.call_in_answer(request=_call_in(c), by=c.osc_officer, called_in=True, on=TODAY)


BUILDERS = {
    # Topics: the case lifecycle.
    ("scrutiny.Topic", "state", "prioritise"): lambda c: Case(
        _raised(c),
        {"framework": PrioritisationFramework.objects.get(slug="topic"), "scores": SCORES},
    ),
    ("scrutiny.Topic", "state", "decline"): lambda c: Case(_raised(c), {"reason": "Not ours"}),
    ("scrutiny.Topic", "state", "reopen"): lambda c: Case(
        services.topic_decline(topic=_raised(c), by=c.officer, reason="Not ours")
    ),
    ("scrutiny.Topic", "state", "request_information"): lambda c: Case(_prioritised(c)),
    ("scrutiny.Topic", "state", "issue_requests"): lambda c: Case(_drafted_request(c)[0]),
    ("scrutiny.Topic", "state", "make_recommendations"): lambda c: Case(
        _agreed_recommendation(c)[0]
    ),
    ("scrutiny.Topic", "state", "request_more"): lambda c: Case(
        _recommendation_made(c, issue=True)
    ),
    ("scrutiny.Topic", "state", "conclude"): lambda c: Case(
        _recommendation_made(c, issue=False), {"outcome_summary": "The unit stays."}
    ),
    ("scrutiny.Topic", "state", "withdraw"): lambda c: Case(_raised(c), {"reason": "Merged"}),
    # Topics: publication.
    ("scrutiny.Topic", "publication", "publish"): lambda c: Case(_prioritised(c)),
    ("scrutiny.Topic", "publication", "unpublish"): lambda c: Case(
        publication.topic_publish(topic=_prioritised(c), by=c.officer), {"reason": "Typo"}
    ),
    # Information requests.
    ("scrutiny.InformationRequest", "state", "issue"): lambda c: Case(
        _drafted_request(c)[1], {"rule": _rule("link-information-request"), "on": TODAY}
    ),
    ("scrutiny.InformationRequest", "state", "mark_answered"): lambda c: Case(
        _issued_request(c), {"on": TODAY}
    ),
    ("scrutiny.InformationRequest", "state", "mark_partially_answered"): lambda c: Case(
        _issued_request(c), {"on": TODAY}
    ),
    ("scrutiny.InformationRequest", "state", "mark_refused"): lambda c: Case(
        _issued_request(c), {"on": TODAY, "ground": "not_held"}
    ),
    ("scrutiny.InformationRequest", "state", "withdraw"): lambda c: Case(
        _drafted_request(c)[1], {"reason": "Asked elsewhere"}
    ),
    # Recommendations, and their implementation monitoring.
    ("scrutiny.Recommendation", "state", "agree_at_meeting"): lambda c: (
        lambda topic, rec: Case(rec, {"agenda_item": _minuted_item(c, topic), "on": TODAY})
    )(*_drafted_recommendation(c)),
    ("scrutiny.Recommendation", "state", "agree_by_chair"): lambda c: Case(
        _drafted_recommendation(c)[1], {"reason": "Cannot wait for a meeting", "on": TODAY}
    ),
    ("scrutiny.Recommendation", "state", "issue"): lambda c: Case(
        _agreed_recommendation(c)[1],
        {"rule": _rule("link-recommendation-response"), "on": TODAY},
    ),
    ("scrutiny.Recommendation", "state", "respond"): lambda c: Case(
        _issued_recommendation(c), {"outcome": "accepted", "on": TODAY}
    ),
    ("scrutiny.Recommendation", "state", "withdraw"): lambda c: Case(
        _drafted_recommendation(c)[1], {"reason": "Overtaken"}
    ),
    ("scrutiny.Recommendation", "implementation_status", "update_implementation"): lambda c: Case(
        _accepted_recommendation(c), {"status": "on_track"}, target="on_track"
    ),
    # Referrals.
    ("scrutiny.Referral", "state", "acknowledge"): lambda c: Case(
        _raised(c, source="referral").referral, {"text": "Thank you"}
    ),
    # Relevant decisions of the involvement network: the statement's publication.
    ("scrutiny.RelevantDecision", "state", "publish"): lambda c: Case(
        _decision(c, reasons="Residents wait too long")
    ),
    ("scrutiny.AnnualReport", "state", "publish"): lambda c: Case(_annual_report(c)),
    ("scrutiny.RelevantDecision", "state", "set_aside"): lambda c: Case(
        _decision(c), {"reason": "Recorded twice"}
    ),
    # Enter and View visits.
    ("scrutiny.Visit", "state", "announce"): lambda c: Case(_visit(c), {"on": TODAY}),
    ("scrutiny.Visit", "state", "go_unannounced"): lambda c: Case(
        _visit(c), {"set_fields": {"unannounced_reason": "Concerns about night-time care"}}
    ),
    ("scrutiny.Visit", "state", "postpone"): lambda c: Case(_visit(c), {"reason": "Outbreak"}),
    ("scrutiny.Visit", "state", "reschedule"): lambda c: Case(
        services.visit_postpone(visit=_visit(c), by=c.officer, reason="Outbreak"),
        {"planned_for": TODAY + dt.timedelta(days=21)},
    ),
    ("scrutiny.Visit", "state", "cancel"): lambda c: Case(_visit(c), {"reason": "Ward closed"}),
    ("scrutiny.Visit", "state", "carry_out"): lambda c: Case(
        services.visit_announce(visit=_visit(c, planned_for=TODAY), by=c.officer),
        {"on": TODAY, "findings": "Clean and calm"},
    ),
    ("scrutiny.Visit", "state", "draft_report"): lambda c: Case(_visit_carried_out(c)),
    ("scrutiny.Visit", "state", "send_for_accuracy_check"): lambda c: Case(
        services.visit_draft_report(visit=_visit_carried_out(c), by=c.officer),
        {"rule": _rule("enter-and-view-accuracy-check"), "on": TODAY},
    ),
    ("scrutiny.Visit", "state", "publish"): lambda c: Case(
        _visit_in_check(c), {"rule": _rule("enter-and-view-response"), "on": TODAY}
    ),
    ("scrutiny.Visit", "state", "record_response"): lambda c: Case(
        _visit_published(c), {"text": "We will add a night nurse.", "on": TODAY}
    ),
    # Service-change consultations, and requests to the Secretary of State.
    ("scrutiny.Consultation", "state", "find_substantial"): lambda c: Case(
        _consultation_received_with_minute(c), {"reason": "Everyone moves", "on": TODAY}
    ),
    ("scrutiny.Consultation", "state", "find_not_substantial"): lambda c: Case(
        _consultation_received_with_minute(c), {"reason": "Few affected", "on": TODAY}
    ),
    ("scrutiny.Consultation", "state", "send_comments"): lambda c: Case(
        _substantial(c), {"comments": "Keep it.", "on": TODAY}
    ),
    ("scrutiny.Consultation", "state", "record_decision"): lambda c: Case(
        _substantial(c), {"decision": "Go ahead", "reasons": "Outcomes", "on": TODAY}
    ),
    ("scrutiny.Consultation", "state", "withdraw"): lambda c: Case(
        _consultation(c), {"reason": "Rethinking"}
    ),
    ("scrutiny.CallInRequest", "state", "call_in"): lambda c: Case(
        _call_in(c), {"on": TODAY, "rule": _rule("call-in-decision")}
    ),
    ("scrutiny.CallInRequest", "state", "decline"): lambda c: Case(
        _call_in(c), {"on": TODAY, "answer": "Resolve it locally."}
    ),
    ("scrutiny.CallInRequest", "state", "record_outcome"): lambda c: Case(
        _called_in(c), {"outcome": "proceed", "text": "May proceed.", "on": TODAY}
    ),
    ("scrutiny.CallInRequest", "state", "withdraw"): lambda c: Case(
        _call_in(c), {"reason": "Resolved locally"}
    ),
    # Residents' suggestions: moderation.
    ("scrutiny.TopicSuggestion", "status", "accept"): lambda c: Case(
        _suggestion(c), {"topic": _raised(c)}
    ),
    ("scrutiny.TopicSuggestion", "status", "reject"): lambda c: Case(
        _suggestion(c), {"reason": "Already on our programme"}
    ),
    # Meetings, and their agenda publication.
    ("protocols.Meeting", "state", "cancel"): lambda c: Case(_meeting(c), {"reason": "Snow"}),
    ("protocols.Meeting", "state", "mark_held"): lambda c: Case(
        _meeting(c, date=TODAY - dt.timedelta(days=1))
    ),
    ("protocols.Meeting", "agenda", "publish_agenda"): lambda c: Case(
        _meeting(c), {"at": timezone.now()}
    ),
    # Minutes of a meeting, approved as a correct record at a later one.
    ("protocols.Minutes", "state", "circulate"): lambda c: Case(
        _minutes(c, "draft"), {"on": TODAY}
    ),
    ("protocols.Minutes", "state", "return_to_draft"): lambda c: Case(_minutes(c, "circulated")),
    ("protocols.Minutes", "state", "approve"): lambda c: Case(
        _minutes(c, "circulated"),
        {"set_fields": {"approved_at_item": _minutes.built.november.items.get(position=1)}},
    ),
    ("protocols.Minutes", "state", "publish"): lambda c: Case(
        _minutes(c, "approved"), {"at": timezone.now()}
    ),
    # Protocol versions, and each party's sign-off.
    ("protocols.ProtocolVersion", "state", "sign_off"): lambda c: Case(_protocol_draft(c)),
    ("protocols.ProtocolVersion", "state", "agree"): lambda c: Case(
        _protocol_every_party_signed(c)
    ),
    ("protocols.ProtocolVersion", "state", "start_review"): lambda c: Case(_protocol_agreed(c)),
    ("protocols.ProtocolVersion", "state", "supersede"): lambda c: Case(_protocol_agreed(c)),
}


def test_every_transition_of_every_lifecycle_has_a_builder():
    """A new transition (or a new FSM field) must join the walk below; a builder for a move that
    no longer exists is dead."""
    declared = declared_transitions()
    assert declared - set(BUILDERS) == set(), "transitions without a builder"
    assert set(BUILDERS) - declared == set(), "builders for transitions that do not exist"


def test_the_walk_covers_every_fsm_model():
    models = {label for label, _, _ in declared_transitions()}
    assert models == {
        "scrutiny.Topic",
        "scrutiny.InformationRequest",
        "scrutiny.Recommendation",
        "scrutiny.Referral",
        "scrutiny.RelevantDecision",
        "scrutiny.AnnualReport",
        "scrutiny.TopicSuggestion",
        "scrutiny.Visit",
        "scrutiny.Consultation",
        "scrutiny.CallInRequest",
        "protocols.Meeting",
        "protocols.Minutes",
        "protocols.ProtocolVersion",
    }


@pytest.fixture
def ctx(area, officer, osc_officer, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
    return Ctx(area, officer, osc_officer)


@pytest.mark.parametrize("key", sorted(BUILDERS), ids=lambda k: ".".join(k))
def test_every_transition_logs_one_row_with_its_source_and_target(ctx, key):
    label, field_name, name = key
    model = apps.get_model(label)
    case = BUILDERS[key](ctx)
    obj = model._default_manager.get(pk=case.instance.pk)
    meta = getattr(model, name)._django_fsm
    assert meta.field.name == field_name
    source = getattr(obj, field_name)
    transition = meta.get_transition(source)
    assert transition is not None, f"the builder left {label} in '{source}'"
    target = transition.target
    if isinstance(target, State):
        assert case.target in target.allowed_states
        target = case.target
    rows = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=obj.pk
    )
    before = set(rows.values_list("pk", flat=True))
    admin = UserFactory(username="walk-admin", is_superuser=True)

    moved = transition_apply(instance=obj, name=name, by=admin, note="walk", **case.kwargs)

    new = list(rows.exclude(pk__in=before))
    assert len(new) == 1, [(r.event_type, r.source_state, r.target_state) for r in new]
    row = new[0]
    assert (row.event_type, row.source_state, row.target_state) == (
        event_type_for_transition(model, name),
        source,
        target,
    )
    assert (row.actor, row.note) == (admin, "walk")
    assert (
        getattr(model._default_manager.get(pk=obj.pk), field_name)
        == target
        == getattr(moved, field_name)
    )


# --- 2. The scan -------------------------------------------------------------------------------

SCANNED = ("scrutiny", "protocols", "api", "workflows")
# Fields that record that a lifecycle move happened, next to the FSM fields themselves: set only
# by the transition that makes the move.
RECORDED_BY_MOVES = {
    "scrutiny.Topic": {"published_at", "prioritised_on", "concluded_on"},
    "scrutiny.InformationRequest": {"issued_on", "responded_on"},
    "scrutiny.Recommendation": {
        "issued_on",
        "responded_on",
        "implementation_revised_date",
        "agreement_basis",
        "agreed_on",
        "agreed_at_item",
    },
    "scrutiny.Referral": {"acknowledged_on"},
    "scrutiny.RelevantDecision": {"published_at", "set_aside_reason"},
    "scrutiny.AnnualReport": {"published_at"},
    "scrutiny.Visit": {
        "announced_on",
        "carried_out_on",
        "sent_for_check_on",
        "published_on",
        "responded_on",
        "postponement_reason",
        "cancellation_reason",
    },
    "scrutiny.Consultation": {
        "substantial",
        "assessed_on",
        "assessment_reason",
        "comments_sent_on",
        "decided_on",
    },
    "scrutiny.CallInRequest": {"answered_on", "outcome", "outcome_on"},
    "scrutiny.TopicSuggestion": {"moderated_at", "moderated_by"},
    "protocols.Meeting": {"agenda_published_at", "urgency_reason", "urgency_chair"},
    "protocols.ProtocolVersion": {"agreed_on", "review_started_on", "superseded_on"},
    "protocols.Minutes": {"circulated_on", "approved_on"},
}


def lifecycle_fields() -> dict[str, set[str]]:
    """{model name: its FSM fields and the fields its moves record}, for every FSM model."""
    out = {}
    for model in apps.get_models():
        names = {f.name for f in fsm_fields(model)}
        if names:
            out[model.__name__] = names | RECORDED_BY_MOVES.get(model._meta.label, set())
    return out


def test_the_recorded_fields_exist():
    for label, names in RECORDED_BY_MOVES.items():
        model = apps.get_model(label)
        for name in names:
            model._meta.get_field(name)


def _root_name(node) -> str | None:
    """`Topic` for `Topic.objects.filter(...).update`, None for `qs.update` or `x().update`."""
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_transition(fn) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if getattr(target, "id", None) == "transition" or getattr(target, "attr", "") == (
            "transition"
        ):
            return True
    return False


def lifecycle_writes(source: str, fields: dict[str, set[str]]) -> list[tuple[int, str]]:
    """(line, what) for each write of a lifecycle field outside a transition method."""
    every = set().union(*fields.values())
    # `state` and `status` of protected FSM fields cannot be assigned at all (django-fsm raises);
    # the other names are checked where they are assigned.
    assigned = every - {"state", "status"}
    tree = ast.parse(source)
    found = []

    def visit(node, in_transition: bool):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_transition = in_transition or _is_transition(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            root = _root_name(node.func.value)
            names = fields.get(root, set()) if root and root[0].isupper() else every
            if node.func.attr == "update":
                hit = {k.arg for k in node.keywords if k.arg} & names
                if hit:
                    found.append((node.lineno, f".update({'=…, '.join(sorted(hit))}=…)"))
            if node.func.attr == "bulk_update" and len(node.args) > 1:
                listed = {
                    e.value for e in ast.walk(node.args[1]) if isinstance(e, ast.Constant)
                } & names
                if listed:
                    found.append((node.lineno, f".bulk_update({sorted(listed)})"))
        if isinstance(node, ast.Call):
            for k in node.keywords:
                if k.arg == "set_fields":
                    keys = {
                        key.value
                        for d in ast.walk(k.value)
                        if isinstance(d, ast.Dict)
                        for key in d.keys
                        if isinstance(key, ast.Constant)
                    } & every
                    if keys:
                        found.append((node.lineno, f"set_fields={sorted(keys)}"))
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and not in_transition:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Attribute) and sub.attr in assigned:
                        found.append((node.lineno, f"….{sub.attr} = …"))
        for child in ast.iter_child_nodes(node):
            visit(child, in_transition)

    visit(tree, False)
    return found


# Writes the scan flags by name that are not lifecycle writes, each with the reason.
NOT_LIFECYCLE_WRITES = {
    # The national-scale loader writes rows as the services would have left them, in bulk
    # (its `.update` calls are on the dicts of rows it is building): docs/decisions/0025.
    ("scrutiny/demo/scale.py", None): "bulk loader",
    # A health body's plan has a publication date of its own (not the Visit lifecycle's).
    ("scrutiny/casework/services/register.py", "published_on"): "HealthBodyPlan.published_on",
    # An officer publishing a document of implementation evidence: a flag on the document,
    # not the topic's publication lifecycle.
    ("scrutiny/casework/services/responses.py", "published_at"): "ImplementationEvidence",
}


def _exempt(path: str, what: str) -> bool:
    return (path, None) in NOT_LIFECYCLE_WRITES or any(
        p == path and name and f".{name} = " in what for p, name in NOT_LIFECYCLE_WRITES
    )


def test_no_code_writes_a_lifecycle_field_behind_the_transition_service():
    fields = lifecycle_fields()
    offences = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(ROOT))
            for line, what in lifecycle_writes(path.read_text(), fields):
                if not _exempt(relative, what):
                    offences.append(f"{relative}:{line}: {what}")
    assert offences == []


@pytest.mark.parametrize(
    "code",
    [
        "Topic.objects.filter(pk=1).update(published_at=None, updated_at=now)",
        "TopicSuggestion.objects.filter(pk=1).update(status='accepted')",
        "qs.update(state='held')",
        "Meeting.objects.bulk_update(meetings, ['agenda_published_at'])",
        "def publish(meeting):\n    meeting.agenda_published_at = now\n    meeting.save()",
        "transition_apply(instance=t, name='conclude', by=u, set_fields={'published_at': now})",
    ],
)
def test_the_scan_finds_a_write_behind_the_service(code):
    assert lifecycle_writes(code, lifecycle_fields()) != []


@pytest.mark.parametrize(
    "code",
    [
        # Another model's `status` (an outbox delivery), a dict, a plain queryset field.
        "WebhookDelivery.objects.filter(pk=1).update(status='cancelled')",
        "context.update(actions=[])",
        "CalendarToken.objects.filter(pk=1).update(last_used_at=now)",
        # Inside a transition method, the move itself sets what it records.
        "class M:\n    @transition(field=agenda)\n    def publish_agenda(self, *, at):\n"
        "        self.agenda_published_at = at",
    ],
)
def test_the_scan_lets_other_writes_be(code):
    assert lifecycle_writes(code, lifecycle_fields()) == []


# --- 3. The data migrations that started the new lifecycles ----------------------------------


def test_the_migrations_derive_the_new_lifecycles_from_their_timestamps(ctx):
    published, private = _prioritised(ctx), _raised(ctx)
    meeting, later = _meeting(ctx), _meeting(ctx, date=dt.date(2027, 2, 2))
    # As the rows stood before the lifecycle fields existed: only the timestamps said it.
    Topic.objects.filter(pk=published.pk).update(published_at=timezone.now())
    Meeting.objects.filter(pk=meeting.pk).update(agenda_published_at=timezone.now())

    import_module("scrutiny.casework.migrations.0005_lifecycles").publication_from_published_at(
        apps, None
    )
    import_module("protocols.migrations.0003_lifecycles").agenda_from_agenda_published_at(
        apps, None
    )

    assert Topic.objects.get(pk=published.pk).publication == "published"
    assert Topic.objects.get(pk=private.pk).publication == "unpublished"
    assert Meeting.objects.get(pk=meeting.pk).agenda == "published"
    assert Meeting.objects.get(pk=later.pk).agenda == "unpublished"
