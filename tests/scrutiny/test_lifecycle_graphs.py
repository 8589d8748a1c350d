"""Every legal and illegal move of every lifecycle, checked against DOMAIN.md's graphs.

These are pure: instances are built in memory in each state and nothing touches the database.
"""

import pytest
from django_fsm import TransitionNotAllowed, can_proceed

from scrutiny.casework.models import (
    AnnualReport,
    AnnualReportState,
    CallInRequest,
    CallInState,
    Consultation,
    ConsultationState,
    DecisionState,
    InformationRequest,
    Recommendation,
    RecommendationState,
    Referral,
    ReferralState,
    RelevantDecision,
    RequestState,
    Topic,
    TopicState,
    Visit,
    VisitState,
)

T = TopicState
TOPIC_OPEN = [
    T.RAISED,
    T.PRIORITISED,
    T.INFORMATION_REQUESTED,
    T.RESPONSE_DUE,
    T.RECOMMENDATION_MADE,
]
# transition -> {source: target}, written out from DOMAIN.md's diagram.
TOPIC_GRAPH = {
    "prioritise": {T.RAISED: T.PRIORITISED},
    "decline": {T.RAISED: T.DECLINED, T.PRIORITISED: T.DECLINED},
    "reopen": {T.DECLINED: T.RAISED},
    "request_information": {T.PRIORITISED: T.INFORMATION_REQUESTED},
    "issue_requests": {T.INFORMATION_REQUESTED: T.RESPONSE_DUE},
    "make_recommendations": {
        T.PRIORITISED: T.RECOMMENDATION_MADE,
        T.RESPONSE_DUE: T.RECOMMENDATION_MADE,
    },
    "request_more": {T.RECOMMENDATION_MADE: T.INFORMATION_REQUESTED},
    "conclude": {T.RECOMMENDATION_MADE: T.CONCLUDED},
    "withdraw": {s: T.WITHDRAWN for s in TOPIC_OPEN},
}

R = RequestState
REQUEST_GRAPH = {
    "issue": {R.DRAFT: R.ISSUED},
    "mark_answered": {
        s: R.ANSWERED for s in (R.ISSUED, R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED)
    },
    "mark_partially_answered": {
        s: R.PARTIALLY_ANSWERED for s in (R.ISSUED, R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED)
    },
    "mark_refused": {s: R.REFUSED for s in (R.ISSUED, R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED)},
    "withdraw": {R.DRAFT: R.WITHDRAWN, R.ISSUED: R.WITHDRAWN},
}

RS = RecommendationState
RECOMMENDATION_GRAPH = {
    "agree_at_meeting": {RS.DRAFT: RS.AGREED},
    "agree_by_chair": {RS.DRAFT: RS.AGREED},
    "issue": {RS.AGREED: RS.ISSUED},
    "respond": {RS.ISSUED: RS.RESPONDED, RS.RESPONDED: RS.RESPONDED},
    "withdraw": {RS.DRAFT: RS.WITHDRAWN, RS.AGREED: RS.WITHDRAWN, RS.ISSUED: RS.WITHDRAWN},
}

REFERRAL_GRAPH = {
    "acknowledge": {ReferralState.AWAITING_ACKNOWLEDGEMENT: ReferralState.ACKNOWLEDGED},
}

DECISION_GRAPH = {
    "publish": {DecisionState.RECORDED: DecisionState.PUBLISHED},
    "set_aside": {DecisionState.RECORDED: DecisionState.SET_ASIDE},
}

V = VisitState
VISIT_BEFORE = (V.PLANNED, V.ANNOUNCED, V.UNANNOUNCED)
VISIT_GRAPH = {
    "announce": {V.PLANNED: V.ANNOUNCED},
    "go_unannounced": {V.PLANNED: V.UNANNOUNCED},
    "postpone": {s: V.POSTPONED for s in VISIT_BEFORE},
    "reschedule": {V.POSTPONED: V.PLANNED},
    "cancel": {s: V.CANCELLED for s in (*VISIT_BEFORE, V.POSTPONED)},
    "carry_out": {V.ANNOUNCED: V.CARRIED_OUT, V.UNANNOUNCED: V.CARRIED_OUT},
    "draft_report": {V.CARRIED_OUT: V.REPORT_DRAFTED},
    "send_for_accuracy_check": {V.REPORT_DRAFTED: V.ACCURACY_CHECK},
    "publish": {V.ACCURACY_CHECK: V.PUBLISHED},
    "record_response": {V.PUBLISHED: V.RESPONDED},
}

CS = ConsultationState
CONSULTATION_GRAPH = {
    "find_substantial": {CS.RECEIVED: CS.SUBSTANTIAL},
    "find_not_substantial": {CS.RECEIVED: CS.NOT_SUBSTANTIAL},
    "send_comments": {CS.SUBSTANTIAL: CS.COMMENTS_SENT},
    "record_decision": {
        CS.SUBSTANTIAL: CS.DECIDED,
        CS.NOT_SUBSTANTIAL: CS.DECIDED,
        CS.COMMENTS_SENT: CS.DECIDED,
    },
    "withdraw": {
        CS.RECEIVED: CS.WITHDRAWN,
        CS.SUBSTANTIAL: CS.WITHDRAWN,
        CS.NOT_SUBSTANTIAL: CS.WITHDRAWN,
        CS.COMMENTS_SENT: CS.WITHDRAWN,
    },
}

CI = CallInState
CALL_IN_GRAPH = {
    "call_in": {CI.REQUESTED: CI.CALLED_IN},
    "decline": {CI.REQUESTED: CI.NOT_CALLED_IN},
    "record_outcome": {CI.CALLED_IN: CI.DECIDED},
    "withdraw": {CI.REQUESTED: CI.WITHDRAWN},
}

ANNUAL_REPORT_GRAPH = {
    "publish": {AnnualReportState.DRAFT: AnnualReportState.PUBLISHED},
}

LIFECYCLES = [
    (AnnualReport, AnnualReportState, ANNUAL_REPORT_GRAPH),
    (Consultation, ConsultationState, CONSULTATION_GRAPH),
    (CallInRequest, CallInState, CALL_IN_GRAPH),
    (Topic, TopicState, TOPIC_GRAPH),
    (InformationRequest, RequestState, REQUEST_GRAPH),
    (Recommendation, RecommendationState, RECOMMENDATION_GRAPH),
    (Referral, ReferralState, REFERRAL_GRAPH),
    (RelevantDecision, DecisionState, DECISION_GRAPH),
    (Visit, VisitState, VISIT_GRAPH),
]

CASES = [
    pytest.param(model, state, name, graph[name].get(state), id=f"{model.__name__}-{name}-{state}")
    for model, states, graph in LIFECYCLES
    for name in graph
    for state in states.values
]


@pytest.mark.parametrize(("model", "state", "name", "target"), CASES)
def test_transition_is_available_exactly_from_its_sources(model, state, name, target):
    obj = model(state=state)
    assert can_proceed(getattr(obj, name), check_conditions=False) is (target is not None)


def test_every_declared_transition_is_in_the_expected_graph():
    for model, _states, graph in LIFECYCLES:
        declared = {t.name: set() for t in model().get_all_state_transitions()}
        for t in model().get_all_state_transitions():
            declared[t.name].add((t.source, t.target))
        expected = {name: set(edges.items()) for name, edges in graph.items()}
        assert declared == expected, model.__name__


# Transitions without database conditions can be applied in memory.
PURE_KWARGS = {
    (Topic, "decline"): {"reason": "r"},
    (Topic, "reopen"): {},
    (Topic, "request_information"): {},
    (Topic, "request_more"): {},
    (Topic, "withdraw"): {"reason": "r"},
    (InformationRequest, "mark_answered"): {"on": None},
    (InformationRequest, "mark_partially_answered"): {"on": None},
    (InformationRequest, "mark_refused"): {"on": None, "ground": "not_held"},
    (InformationRequest, "withdraw"): {"reason": "r"},
    (Recommendation, "respond"): {"outcome": "accepted", "on": None},
    (Recommendation, "withdraw"): {"reason": "r"},
    (Referral, "acknowledge"): {"text": "Thank you"},
    (RelevantDecision, "set_aside"): {"reason": "r"},
    (Visit, "announce"): {"on": None},
    (Visit, "postpone"): {"reason": "r"},
    (Visit, "reschedule"): {"planned_for": None},
    (Visit, "cancel"): {"reason": "r"},
    (Visit, "record_response"): {"text": "t", "on": None},
    (Consultation, "send_comments"): {"comments": "c", "on": None},
    (Consultation, "record_decision"): {"decision": "d", "reasons": "r", "on": None},
    (Consultation, "withdraw"): {"reason": "r"},
    (CallInRequest, "call_in"): {"on": None},
    (CallInRequest, "decline"): {"on": None, "answer": "a"},
    (CallInRequest, "record_outcome"): {"outcome": "proceed", "text": "t", "on": None},
    (CallInRequest, "withdraw"): {"reason": "r"},
}


def test_a_consultation_view_needs_its_minute():
    """Both findings have the condition that the minuted agenda item is recorded."""
    for name in ("find_substantial", "find_not_substantial"):
        obj = Consultation(state=CS.RECEIVED)
        assert not can_proceed(getattr(obj, name))
        obj.minute_item_id = 7
        assert can_proceed(getattr(obj, name))


@pytest.mark.parametrize(
    ("model", "state", "name", "target"),
    [c for c in CASES if (c.values[0], c.values[2]) in PURE_KWARGS],
)
def test_applying_a_pure_transition_moves_or_refuses(model, state, name, target):
    obj = model(state=state)
    method = getattr(obj, name)
    kwargs = PURE_KWARGS[(model, name)]
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            method(by=None, **kwargs)
        assert obj.state == state
    else:
        method(by=None, **kwargs)
        assert obj.state == target


def test_state_cannot_be_assigned_directly():
    topic = Topic(state=TopicState.RAISED)
    with pytest.raises(AttributeError):
        topic.state = TopicState.CONCLUDED
