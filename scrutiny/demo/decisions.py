"""Demo relevant decisions: the casework's own decisions (recorded when the demo issued its
requests and recommendations and made its referral) given statements and reasons, most of them
published a few working days after the decision, the newest still due, one left overdue; and
one decision of another kind an officer recorded by hand (which services the network looks at).
Idempotent: a network that already has a hand-recorded decision is left alone.
"""

from __future__ import annotations

from django.utils import timezone

from scrutiny.casework import services
from scrutiny.casework.models import (
    DecisionKind,
    DecisionState,
    Membership,
    Organisation,
    RelevantDecision,
)
from scrutiny.demo.story import StoryClock, working_day, working_days_after

REASONS = {
    DecisionKind.REQUEST_INFORMATION: (
        "Residents told us about this at our listening events; the provider's own figures are "
        "the quickest way to see how widespread it is."
    ),
    DecisionKind.REFER_REPORT: (
        "The evidence we gathered shows a change the provider can make, and we want its answer "
        "on the record."
    ),
    DecisionKind.REFER_TO_OSC: (
        "The matter needs the committee's powers: it involves more than one provider and the "
        "council's own services."
    ),
}


def _officer(network: Organisation):
    membership = (
        Membership.objects.filter(organisation=network, role=Membership.Role.SUPPORT_OFFICER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def seed_network(network: Organisation) -> list[str]:
    officer = _officer(network)
    if officer is None or network.decisions.filter(kind=DecisionKind.WHICH_SERVICES).exists():
        return []
    today = timezone.localdate()
    due = list(
        RelevantDecision.objects.filter(body=network, state=DecisionState.RECORDED).order_by(
            "decided_on", "pk"
        )
    )
    published = overdue = 0
    for i, decision in enumerate(due):
        reasons = REASONS.get(decision.kind, "")
        if decision.due_on and decision.due_on >= today:
            continue  # the newest: still due
        if i == 0:
            overdue += 1  # the oldest: left overdue, so the reminders have something to say
            continue
        on = working_days_after(decision.decided_on, 3)
        if on > today:
            continue
        clock = StoryClock()
        with clock.on(on):
            services.decision_edit(
                decision=decision, by=officer, statement=decision.statement, reasons=reasons
            )
            services.decision_publish(decision=decision, by=officer)
        published += 1
    services.decision_record(
        body=network,
        kind=DecisionKind.WHICH_SERVICES,
        by=officer,
        statement="To give this year's work programme to dental services and hospital discharge.",
        reasons="They were the two concerns residents raised most often in the annual survey.",
        decided_on=working_day(4),
    )
    return [f"  {network.name}: {published} decisions published, {overdue} overdue, 1 due"]


def seed_demo(result: dict) -> list[str]:
    """Called by `seed_demo` with what `scrutiny.demo.casework.seed()` returns."""
    lines = []
    for area in result["areas"]:
        lines += seed_network(area.partnership.involvement_network)
    return ["", "Relevant decisions:", *lines] if lines else []
