"""Enter and View: premises, authorised representatives, visits and their reports, the
provider's factual-accuracy check and response, and safeguarding concerns (kept private).

A visit belongs to a topic: one is raised with the visit when none is chosen. The report's
recommendations are `Recommendation` rows on that topic, addressed to the provider and tied to
the visit; they are agreed like any other and issued when the report is published
(docs/decisions/0022-enter-and-view.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from scrutiny.casework import policy
from scrutiny.casework.models import (
    AuthorisedRepresentative,
    Organisation,
    Recommendation,
    RecommendationState,
    SafeguardingConcern,
    Site,
    Topic,
    Visit,
    VisitState,
)
from scrutiny.casework.models.sites import ods_code
from scrutiny.casework.models.visits import ACCURACY_RULE, RESPONSE_RULE
from scrutiny.casework.notices import ask_addressees
from scrutiny.casework.roles import Perm
from scrutiny.casework.search import search_index
from scrutiny.casework.services.common import _required
from scrutiny.casework.services.items import recommendation_issue
from scrutiny.casework.services.topics import topic_raise
from workflows.audit import EventType, log_event
from workflows.clocks import calendar_for
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import DeadlineRule, NotificationKind
from workflows.notifications import absolute_url, notification_write
from workflows.services import transition_apply

V = VisitState
# A report (and its recommendations) can be written from the visit until it is published.
REPORT_EDITABLE = (V.CARRIED_OUT, V.REPORT_DRAFTED, V.ACCURACY_CHECK)
# The team can be changed until the visit is made (or given up).
TEAM_EDITABLE = (V.PLANNED, V.ANNOUNCED, V.UNANNOUNCED, V.POSTPONED)
# A safeguarding concern is found on a visit that took place.
SAFEGUARDING_STATES = (V.CARRIED_OUT, V.REPORT_DRAFTED, V.ACCURACY_CHECK, V.PUBLISHED, V.RESPONDED)


def _rule(slug: str) -> DeadlineRule:
    try:
        return DeadlineRule.objects.get(slug=slug)
    except DeadlineRule.DoesNotExist as exc:
        raise InvalidInput(
            f"The deadline rule '{slug}' is missing; an administrator must add it."
        ) from exc


def _locked(visit: Visit) -> Visit:
    return Visit.all_objects.select_for_update().select_related("site__body").get(pk=visit.pk)


def _manage(by, visit: Visit, verb: str) -> None:
    if not policy.can(by, Perm.VISIT_MANAGE, visit):
        raise Forbidden(f"Only the {visit.network}'s officers may {verb} this visit.")


# --- Premises ----------------------------------------------------------------------------------


def site_add(*, by, body: Organisation, name: str, address: str, ods_site_code: str = "") -> Site:
    """Record one of a health body's premises."""
    errors = {}
    name, address = (name or "").strip(), (address or "").strip()
    code = (ods_site_code or "").strip().upper()
    if body is None or not body.is_health_body:
        errors["body"] = ["Choose a health body."]
    if not name:
        errors["name"] = ["Enter the name of the premises."]
    if not address:
        errors["address"] = ["Enter the address of the premises."]
    if code:
        try:
            ods_code(code)
        except ValidationError as exc:
            errors["ods_site_code"] = list(exc.messages)
        else:
            if Site.objects.filter(ods_site_code=code).exists():
                errors["ods_site_code"] = ["Another site already has that ODS code."]
    if errors:
        raise InvalidInput("Check the premises' details.", field_errors=errors)
    if not policy.can(by, Perm.VISIT_MANAGE):
        raise Forbidden("Only an involvement network's officers record premises.")
    return Site.objects.create(body=body, name=name, address=address, ods_site_code=code)


# --- Authorised representatives ----------------------------------------------------------------


def representative_authorise(
    *, by, network: Organisation, name: str, authorised_on: dt.date, user=None
) -> AuthorisedRepresentative:
    """Record that `network` authorised `name` to enter and view, from `authorised_on`."""
    name = _required(name, "name", "the representative's name")
    if authorised_on is None:
        raise InvalidInput(
            "Enter the date of the authorisation.",
            field_errors={"authorised_on": ["Enter the date of the authorisation."]},
        )
    if network is None or network.kind != Organisation.Kind.INVOLVEMENT_NETWORK:
        raise InvalidInput(
            "Representatives are authorised by an involvement network.",
            field_errors={"network": ["Choose an involvement network."]},
        )
    if not policy.can(by, Perm.VISIT_MANAGE, network):
        raise Forbidden(f"Only {network}'s officers may authorise its representatives.")
    with transaction.atomic():
        rep = AuthorisedRepresentative.objects.create(
            body=network, name=name, authorised_on=authorised_on, user=user
        )
        log_event(
            rep,
            EventType.REPRESENTATIVE_AUTHORISED,
            by=by,
            note=f"from {authorised_on:%d %b %Y}",
            source_state="",
            target_state="",
        )
    return rep


def representative_revoke(
    *, by, representative: AuthorisedRepresentative, on: dt.date, reason: str
) -> AuthorisedRepresentative:
    reason = _required(reason, "reason", "why the authorisation is revoked")
    if not policy.can(by, Perm.VISIT_MANAGE, representative):
        raise Forbidden("Only the network's officers may revoke an authorisation.")
    with transaction.atomic():
        rep = AuthorisedRepresentative.objects.select_for_update().get(pk=representative.pk)
        if rep.revoked_on is not None:
            raise Conflict(f"{rep.name}'s authorisation was already revoked.")
        if on is None or on < rep.authorised_on:
            raise InvalidInput(
                "The revocation cannot come before the authorisation.",
                field_errors={"revoked_on": ["Enter a date on or after the authorisation."]},
            )
        rep.revoked_on, rep.revocation_reason = on, reason
        rep.save(update_fields=["revoked_on", "revocation_reason"])
        log_event(
            rep,
            EventType.REPRESENTATIVE_REVOKED,
            by=by,
            note=reason,
            source_state="",
            target_state="",
        )
    return rep


def _check_team(team: Iterable[AuthorisedRepresentative], *, network, on: dt.date) -> list:
    """The team, each member authorised by `network` and in force on `on` (the policy's rule),
    or InvalidInput naming those who are not."""
    team = list(team)
    refused = [r for r in team if not policy.representative_may_visit(r, network=network, on=on)]
    if refused:
        names = ", ".join(r.name for r in refused)
        message = (
            f"Only {network}'s authorised representatives, authorised on {on:%d %b %Y}, can be "
            f"named on the visit team: not {names}."
        )
        raise InvalidInput(message, field_errors={"team": [message]})
    return team


# --- Visits ------------------------------------------------------------------------------------


def visit_plan(
    *,
    by,
    network: Organisation,
    site: Site,
    planned_for: dt.date,
    purpose: str,
    team: Iterable[AuthorisedRepresentative] = (),
    topic: Topic | None = None,
) -> Visit:
    """Record the network's decision to enter and view `site` on `planned_for` (SI 2008/528
    reg 2(2)(f): which premises and when). Without a `topic`, one is raised for the visit."""
    errors = {}
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = ["Enter why the network decided to enter and view."]
    if site is None:
        errors["site"] = ["Choose the premises to visit."]
    if planned_for is None:
        errors["planned_for"] = ["Enter the date of the visit."]
    if network is None or network.kind != Organisation.Kind.INVOLVEMENT_NETWORK:
        errors["network"] = ["Enter and View is an involvement network's power."]
    if topic is not None and network is not None and network.pk not in policy.owner_ids(topic):
        errors["topic"] = ["Choose a topic of the network."]
    if errors:
        raise InvalidInput("Check the visit's details.", field_errors=errors)
    if not policy.can(by, Perm.VISIT_MANAGE, network):
        raise Forbidden(f"Only {network}'s officers may plan its visits.")
    team = _check_team(team, network=network, on=planned_for)
    with transaction.atomic():
        if topic is None:
            topic = topic_raise(
                by=by,
                title=f"Enter and View: {site.name}",
                summary=purpose,
                body=network,
                lead_body=network,
                health_bodies=[site.body],
                note="Raised with an Enter and View visit",
            )
        visit = Visit.all_objects.create(
            topic=topic,
            network=network,
            site=site,
            planned_for=planned_for,
            purpose=purpose,
            created_by=by if by.is_authenticated else None,
        )
        visit.team.set(team)
        log_event(
            visit,
            EventType.VISIT_PLANNED,
            by=by,
            note=f"{site} on {planned_for:%d %b %Y}",
            data={"site": site.pk, "team": [r.pk for r in team]},
            source_state="",
        )
        search_index(visit)
    return visit


def visit_set_team(*, visit: Visit, by, team: Iterable[AuthorisedRepresentative]) -> Visit:
    """Name the visit team (before the visit is carried out)."""
    with transaction.atomic():
        visit = _locked(visit)
        _manage(by, visit, "change the team of")
        if visit.state not in TEAM_EDITABLE:
            raise Conflict(
                f"The team is fixed once the visit is '{visit.get_state_display()}'.",
                current_state=visit.state,
            )
        team = _check_team(team, network=visit.network, on=visit.planned_for)
        visit.team.set(team)
        log_event(
            visit,
            EventType.VISIT_TEAM_CHANGED,
            by=by,
            note=", ".join(r.name for r in team),
            data={"team": [r.pk for r in team]},
        )
    return visit


def visit_announce(*, visit: Visit, by, on: dt.date | None = None, note: str = "") -> Visit:
    return transition_apply(
        instance=visit, name="announce", by=by, note=note, on=on or timezone.localdate()
    )


def visit_go_unannounced(*, visit: Visit, by, reason: str) -> Visit:
    """The visit will be made without notice to the provider, for the reason recorded."""
    reason = _required(reason, "unannounced_reason", "why the visit is unannounced")
    return transition_apply(
        instance=visit,
        name="go_unannounced",
        by=by,
        note=reason,
        set_fields={"unannounced_reason": reason},
    )


def visit_postpone(*, visit: Visit, by, reason: str) -> Visit:
    reason = _required(reason, "reason", "why the visit is postponed")
    return transition_apply(instance=visit, name="postpone", by=by, note=reason, reason=reason)


def visit_reschedule(*, visit: Visit, by, planned_for: dt.date) -> Visit:
    """A postponed visit is planned again for `planned_for`: its team must be authorised then."""
    if planned_for is None:
        raise InvalidInput(
            "Enter the new date.", field_errors={"planned_for": ["Enter the new date."]}
        )
    with transaction.atomic():
        _check_team(visit.team.all(), network=visit.network, on=planned_for)
        return transition_apply(
            instance=visit,
            name="reschedule",
            by=by,
            note=f"to {planned_for:%d %b %Y}",
            planned_for=planned_for,
        )


def visit_cancel(*, visit: Visit, by, reason: str) -> Visit:
    reason = _required(reason, "reason", "why the visit is cancelled")
    return transition_apply(instance=visit, name="cancel", by=by, note=reason, reason=reason)


def visit_carry_out(
    *, visit: Visit, by, on: dt.date | None = None, findings: str = "", note: str = ""
) -> Visit:
    """Record that the visit took place on `on`: every member of the team must have been
    authorised that day."""
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise InvalidInput(
            "A visit cannot be recorded as carried out in the future.",
            field_errors={"carried_out_on": ["Enter a date today or earlier."]},
        )
    with transaction.atomic():
        _check_team(visit.team.all(), network=visit.network, on=on)
        visit = transition_apply(
            instance=visit,
            name="carry_out",
            by=by,
            note=note,
            on=on,
            findings=(findings or "").strip(),
        )
        search_index(visit)
        return visit


def visit_save_report(*, visit: Visit, by, report: str, findings: str | None = None) -> Visit:
    """Write (or revise) the report and findings, until the report is published."""
    report = _required(report, "report", "the report")
    with transaction.atomic():
        visit = _locked(visit)
        _manage(by, visit, "write the report of")
        if visit.state not in REPORT_EDITABLE:
            raise Conflict(
                f"The report cannot be changed while the visit is '{visit.get_state_display()}'.",
                current_state=visit.state,
            )
        visit.report = report
        fields = ["report", "updated_at"]
        if findings is not None:
            visit.findings = findings.strip()
            fields.append("findings")
        visit.save(update_fields=fields)
        log_event(visit, EventType.VISIT_REPORT_EDITED, by=by)
        search_index(visit)
    return visit


def visit_draft_report(*, visit: Visit, by, note: str = "") -> Visit:
    return transition_apply(instance=visit, name="draft_report", by=by, note=note)


def _visit_notice(visit: Visit, *, by, event: str, subject: str, template: str) -> list:
    """Tell the provider (its responders and its own address) what the visit now asks of it."""
    written = []
    # The provider's own page of the visit (its inbox), where it reads the report and replies.
    link = absolute_url(reverse("bodies:visit", args=[visit.pk]))
    for recipient in ask_addressees(visit.provider):
        n = notification_write(
            event_key=f"visit:{visit.pk}:{event}",
            kind=NotificationKind.ASK_ISSUED,
            recipient=recipient,
            subject=subject,
            template=template,
            context={
                "visit": visit,
                "network": visit.network,
                "due": f"{visit.due_on:%d %B %Y}" if visit.due_on else "",
                "due_explanation": visit.due_explanation,
                "link": link,
                "reply_to": (getattr(by, "email", "") or visit.network.email or "").strip(),
            },
            obj=visit,
            link=link,
        )
        if n is not None:
            written.append(n)
    return written


def visit_send_for_accuracy_check(
    *, visit: Visit, by, on: dt.date | None = None, note: str = ""
) -> Visit:
    """Send the draft report to the provider to check for factual accuracy: the check's clock
    starts (`enter-and-view-accuracy-check`), and the provider is told."""
    rule = _rule(ACCURACY_RULE)
    with transaction.atomic():
        visit = transition_apply(
            instance=visit,
            name="send_for_accuracy_check",
            by=by,
            note=note,
            rule=rule,
            on=on or timezone.localdate(),
            calendar=calendar_for(rule.effective_region),
        )
        _visit_notice(
            visit,
            by=by,
            event="accuracy_check",
            subject=f"Draft Enter and View report from {visit.network}: comments by "
            f"{visit.due_on:%d %B %Y}",
            template="visit_accuracy_check",
        )
    return visit


def visit_record_accuracy_comments(
    *, visit: Visit, by, text: str, on: dt.date | None = None
) -> Visit:
    """The provider's comments on the draft report's factual accuracy (from its inbox, or
    recorded by an officer when they came by letter)."""
    text = _required(text, "text", "the comments on factual accuracy")
    with transaction.atomic():
        visit = _locked(visit)
        if not policy.can(by, Perm.RESPOND, visit):
            raise Forbidden("Only the provider (or the network's officers) may comment.")
        if visit.state != V.ACCURACY_CHECK:
            raise Conflict(
                "The factual-accuracy check is not open: the visit is "
                f"'{visit.get_state_display()}'.",
                current_state=visit.state,
            )
        visit.accuracy_comments = text
        visit.accuracy_comments_on = on or timezone.localdate()
        visit.save(update_fields=["accuracy_comments", "accuracy_comments_on", "updated_at"])
        log_event(visit, EventType.VISIT_ACCURACY_COMMENTS, by=by)
    return visit


def visit_recommendation_draft(
    *, visit: Visit, by, text: str, rationale: str = ""
) -> Recommendation:
    """A recommendation of the visit report, addressed to the provider: a draft on the visit's
    topic, agreed like any other, issued when the report is published."""
    text = _required(text, "text", "the recommendation")
    with transaction.atomic():
        visit = _locked(visit)
        _manage(by, visit, "add recommendations to")
        if visit.state not in REPORT_EDITABLE:
            raise Conflict(
                "Recommendations are written with the report, before it is published.",
                current_state=visit.state,
            )
        rec = Recommendation.all_objects.create(
            topic=visit.topic,
            visit=visit,
            recipient=visit.provider,
            made_by=visit.network,
            text=text,
            rationale=(rationale or "").strip(),
            created_by=by,
        )
        log_event(rec, EventType.RECOMMENDATION_DRAFTED, by=by, source_state="")
    return rec


def visit_publish(*, visit: Visit, by, on: dt.date | None = None, note: str = "") -> Visit:
    """Publish the report once the provider has commented on its accuracy or the check's period
    has ended. The provider's response clock starts (`enter-and-view-response`), and the
    report's agreed recommendations are issued to it (each with its own clock)."""
    on = on or timezone.localdate()
    rule = _rule(RESPONSE_RULE)
    with transaction.atomic():
        drafts = Recommendation.all_objects.filter(visit=visit, state=RecommendationState.DRAFT)
        if drafts.exists():
            raise InvalidInput(
                "Agree or withdraw the report's draft recommendations before publishing it."
            )
        visit = transition_apply(
            instance=visit,
            name="publish",
            by=by,
            note=note,
            rule=rule,
            on=on,
            calendar=calendar_for(rule.effective_region),
        )
        agreed = Recommendation.all_objects.filter(visit=visit, state=RecommendationState.AGREED)
        for rec in agreed.select_for_update().order_by("pk"):
            recommendation_issue(recommendation=rec, by=by, on=on)
        _visit_notice(
            visit,
            by=by,
            event="published",
            subject=f"Enter and View report published by {visit.network}: response by "
            f"{visit.due_on:%d %B %Y}",
            template="visit_published",
        )
    return visit


def visit_record_response(*, visit: Visit, by, text: str, on: dt.date | None = None) -> Visit:
    """The provider's response to the published report (its inbox, or an officer recording a
    letter). Overdue is shown, not a state: a late response still moves the visit here."""
    text = _required(text, "text", "the provider's response")
    with transaction.atomic():
        visit = transition_apply(
            instance=visit,
            name="record_response",
            by=by,
            note="",
            text=text,
            on=on or timezone.localdate(),
        )
        search_index(visit)  # the response is public with the report
    return visit


# --- Safeguarding concerns ---------------------------------------------------------------------


def safeguarding_concern_record(
    *,
    visit: Visit,
    by,
    raised_by: str,
    found_on: dt.date,
    description: str,
    referred_to: str,
    referred_on: dt.date,
) -> SafeguardingConcern:
    """Record a safeguarding concern found on the visit, privately. Its log entry carries no
    words of it (a visit's log can be shown to the provider)."""
    errors = {}
    raised_by, description = (raised_by or "").strip(), (description or "").strip()
    referred_to = (referred_to or "").strip()
    if not raised_by:
        errors["raised_by"] = ["Enter who raised the concern."]
    if not description:
        errors["description"] = ["Describe the concern."]
    if not referred_to:
        errors["referred_to"] = ["Enter whom it was referred to."]
    if found_on is None:
        errors["found_on"] = ["Enter the date it was found."]
    if referred_on is None:
        errors["referred_on"] = ["Enter the date it was referred."]
    elif found_on is not None and referred_on < found_on:
        errors["referred_on"] = ["It cannot be referred before it was found."]
    if errors:
        raise InvalidInput("Check the concern's details.", field_errors=errors)
    if not policy.can(by, Perm.SAFEGUARDING_VIEW, visit.network):
        raise Forbidden("Only the network's officers record safeguarding concerns.")
    if visit.state not in SAFEGUARDING_STATES:
        raise Conflict(
            "A safeguarding concern is recorded against a visit that took place.",
            current_state=visit.state,
        )
    with transaction.atomic():
        concern = SafeguardingConcern.objects.create(
            visit=visit,
            raised_by=raised_by,
            found_on=found_on,
            description=description,
            referred_to=referred_to,
            referred_on=referred_on,
            recorded_by=by,
        )
        log_event(visit, EventType.VISIT_SAFEGUARDING_RECORDED, by=by)
    return concern


def safeguarding_concerns_visible_to(actor, visit: Visit):
    return policy.visible(actor, SafeguardingConcern.objects.filter(visit=visit))
