"""Reference data every deployment starts with: the default deadline rules (DOMAIN.md).

Created by migration and re-created after a database flush (post_migrate), never overwritten:
an administrator's change to a rule stands.
"""

DEFAULT_RULES = [
    {
        "slug": "osc-recommendation-response",
        "name": "NHS body answers an OSC report or recommendation",
        "kind": "period",
        "period": 28,
        "unit": "calendar_days",
        "start_day_counts": False,
        "source": "SI 2002/3048 reg 3(3); SI 2013/218 reg 22",
    },
    {
        "slug": "link-information-request",
        "name": "Health body answers a request for information",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": False,
        "source": "SI 2008/528 (the working day after receipt is day 1)",
    },
    {
        "slug": "link-recommendation-response",
        "name": "Health body answers a LINk report or recommendation",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": False,
        "source": "SI 2008/528; Local Healthwatch protocols",
    },
    {
        "slug": "referral-acknowledgement",
        "name": "OSC acknowledges a LINk referral",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": True,
        "source": (
            "SI 2008/528 regs 17-18 (reg 2(2A) of SI 2002/3048): beginning with the referral date"
        ),
    },
    {
        "slug": "relevant-decision-publication",
        "name": "LINk publishes a relevant decision and its reasons",
        "kind": "period",
        "period": 10,
        "unit": "working_days",
        "start_day_counts": False,
        "source": (
            "SI 2008/528 reg 2(1)(d): 'within a reasonable time' after the decision; "
            "the 10 working days are this deployment's choice, set by an administrator"
        ),
    },
    {
        "slug": "enter-and-view-accuracy-check",
        "name": "Provider checks a draft Enter and View report for factual accuracy",
        "kind": "period",
        "period": 10,
        "unit": "working_days",
        "start_day_counts": False,
        "source": "Local practice: the period the joint working protocol sets (default)",
    },
    {
        "slug": "enter-and-view-response",
        "name": "Provider responds to a published Enter and View report",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": False,
        "source": (
            "Local Healthwatch practice: providers are asked to respond to a report and its "
            "recommendations within 20 working days (local protocols)"
        ),
    },
    {
        "slug": "agenda-publication",
        "name": "Agenda and reports open to the public",
        "kind": "clear_days_before",
        "period": 5,
        "unit": "working_days",
        "start_day_counts": False,
        "source": (
            "LGA 1972 s100B(3); clear days exclude weekends and bank holidays "
            "(R v Swansea CC ex p Elitestone, 1993)"
        ),
    },
    {
        "slug": "council-executive-response",
        "name": "Council executive answers an OSC report",
        "kind": "period",
        "period": 2,
        "unit": "months",
        "start_day_counts": False,
        "source": "LGA 2000 s9FE",
    },
    # Service-change consultations (docs/consultations.md).
    {
        "slug": "consultation-comments-agenda",
        "name": "Agenda of the meeting that agrees a consultation's comments",
        "kind": "clear_days_before",
        "period": 5,
        "unit": "working_days",
        "start_day_counts": False,
        "source": (
            "SI 2013/218 reg 23 (the body's comments-due date); LGA 1972 s100B(3): the agenda "
            "of a meeting held on that date is published 5 clear working days before"
        ),
    },
    {
        "slug": "call-in-decision",
        "name": "Secretary of State decides a called-in proposal",
        "kind": "period",
        "period": 6,
        "unit": "months",
        "start_day_counts": True,
        "source": (
            "NHS Act 2006 Sch 10A para 3(2)(a): within the period of 6 months beginning with "
            "the date of the direction"
        ),
    },
]


def ensure_default_rules(*, rule_model=None, using="default") -> int:
    """Create the default rules that are missing; return how many were created."""
    if rule_model is None:
        from workflows.models import DeadlineRule as rule_model
    created = 0
    for rule in DEFAULT_RULES:
        _, made = rule_model.objects.using(using).get_or_create(
            slug=rule["slug"], defaults={k: v for k, v in rule.items() if k != "slug"}
        )
        created += made
    return created
