"""Enter and View: the visit list, planning a visit, the visit page and each of its actions,
the network's authorised representatives, and premises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scrutiny.casework import selectors, services
from scrutiny.casework.models import AuthorisedRepresentative, Site, Visit, VisitState
from scrutiny.casework.policy import can, visible, visit_networks
from scrutiny.casework.roles import Perm
from scrutiny.web import presenters
from scrutiny.web.errors import form_view, page_subject
from scrutiny.web.staff import forms as f
from scrutiny.web.staff.views.common import _page, _query_string, staff_required
from workflows.audit import event_history, event_label
from workflows.clocks import calendar_for
from workflows.errors import Conflict


def _visit(request, pk) -> Visit:
    try:
        visit = selectors.visit_detail(request.user, pk)
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None
    return page_subject(request, visit)


def _representatives(network):
    today = timezone.localdate()
    return AuthorisedRepresentative.objects.filter(body=network).exclude(revoked_on__lte=today)


@staff_required
def visit_list(request):
    user = request.user
    state = request.GET.get("state", "")
    if state not in VisitState.values:
        state = ""
    page = _page(request, selectors.visit_list(user, state=state))
    return render(
        request,
        "scrutiny/visit_list.html",
        {
            "page_obj": page,
            "query_string": _query_string(request),
            "state": state,
            "states": VisitState.choices,
            "may_plan": visit_networks(user).exists(),
            "today": timezone.localdate(),
            "cf_calendar": calendar_for(),
        },
    )


def _network(request):
    networks = list(visit_networks(request.user))
    if not networks:
        raise PermissionDenied("Only an involvement network's officers plan visits.")
    wanted = request.GET.get("network", "")
    return next((n for n in networks if str(n.pk) == wanted), networks[0])


@staff_required
@require_http_methods(["GET", "POST"])
def visit_plan(request):
    network = _network(request)
    form = f.VisitPlanForm(
        request.POST or None,
        sites=Site.objects.select_related("body"),
        representatives=_representatives(network),
    )

    def act(data):
        visit = services.visit_plan(
            by=request.user,
            network=network,
            site=data["site"],
            planned_for=data["planned_for"],
            purpose=data["purpose"],
            team=data["team"],
        )
        messages.success(request, "Visit planned.")
        return redirect(visit.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=act,
        template="scrutiny/visit_plan.html",
        context={"network": network},
    )


@staff_required
def visit_detail(request, pk):
    user = request.user
    visit = _visit(request, pk)
    concerns = ()
    if can(user, Perm.SAFEGUARDING_VIEW, visit.network):
        concerns = services.safeguarding_concerns_visible_to(user, visit)
    return render(
        request,
        "scrutiny/visit_detail.html",
        {
            "visit": visit,
            "actions": presenters.visit_actions(user, visit),
            "recommendations": selectors.visit_recommendations(visit),
            "concerns": concerns,
            "may_see_concerns": can(user, Perm.SAFEGUARDING_VIEW, visit.network),
            "timeline": [(e.at, event_label(e), e.actor, e.note) for e in event_history(visit)],
            "today": timezone.localdate(),
            "cf_calendar": calendar_for(),
        },
    )


@dataclass(frozen=True)
class VisitAction:
    heading: str
    button: str
    form: Any
    call: Any  # (visit, user, cleaned data) -> object
    done: str
    warning: bool = False


def _today(data, key="on"):
    return data.get(key) or timezone.localdate()


ACTIONS = {
    "announce": VisitAction(
        "Announce the visit",
        "Record the announcement",
        f.VisitDateForm,
        lambda v, u, d: services.visit_announce(visit=v, by=u, on=d["on"]),
        "Visit announced.",
    ),
    "unannounced": VisitAction(
        "Make the visit unannounced",
        "Record the reason",
        f.VisitUnannouncedForm,
        lambda v, u, d: services.visit_go_unannounced(visit=v, by=u, reason=d["reason"]),
        "The visit will be unannounced.",
    ),
    "carry-out": VisitAction(
        "Record that the visit took place",
        "Record the visit",
        f.VisitCarryOutForm,
        lambda v, u, d: services.visit_carry_out(
            visit=v, by=u, on=d["on"], findings=d.get("findings", "")
        ),
        "Visit recorded as carried out.",
    ),
    "report": VisitAction(
        "Write the report",
        "Save the report",
        f.VisitReportForm,
        lambda v, u, d: services.visit_save_report(
            visit=v, by=u, report=d["report"], findings=d.get("findings", "")
        ),
        "Report saved.",
    ),
    "recommendation": VisitAction(
        "Add a recommendation to the provider",
        "Add the recommendation",
        f.VisitRecommendationForm,
        lambda v, u, d: services.visit_recommendation_draft(
            visit=v, by=u, text=d["text"], rationale=d.get("rationale", "")
        ),
        "Recommendation drafted: agree it (at a meeting, or by the chair's action) before "
        "the report is published.",
    ),
    "draft-report": VisitAction(
        "Mark the draft report complete",
        "Mark complete",
        f.VisitConfirmForm,
        lambda v, u, d: services.visit_draft_report(visit=v, by=u, note=d.get("note", "")),
        "Draft report complete.",
    ),
    "accuracy-check": VisitAction(
        "Send the draft report to the provider for a factual-accuracy check",
        "Send to the provider",
        f.VisitConfirmForm,
        lambda v, u, d: services.visit_send_for_accuracy_check(
            visit=v, by=u, note=d.get("note", "")
        ),
        "Draft report sent to the provider.",
    ),
    "comments": VisitAction(
        "Record the provider's factual-accuracy comments",
        "Record the comments",
        f.VisitProviderTextForm,
        lambda v, u, d: services.visit_record_accuracy_comments(
            visit=v, by=u, text=d["text"], on=_today(d)
        ),
        "Comments recorded.",
    ),
    "publish": VisitAction(
        "Publish the report",
        "Publish the report",
        f.VisitConfirmForm,
        lambda v, u, d: services.visit_publish(visit=v, by=u, note=d.get("note", "")),
        "Report published; its agreed recommendations are issued to the provider.",
    ),
    "response": VisitAction(
        "Record the provider's response",
        "Record the response",
        f.VisitProviderTextForm,
        lambda v, u, d: services.visit_record_response(visit=v, by=u, text=d["text"], on=_today(d)),
        "Response recorded.",
    ),
    "team": VisitAction(
        "Change the visit team",
        "Save the team",
        f.VisitTeamForm,
        lambda v, u, d: services.visit_set_team(visit=v, by=u, team=d["team"]),
        "Team saved.",
    ),
    "safeguarding": VisitAction(
        "Record a safeguarding concern",
        "Record the concern",
        f.SafeguardingConcernForm,
        lambda v, u, d: services.safeguarding_concern_record(visit=v, by=u, **d),
        "Safeguarding concern recorded. It is private: it is never published.",
    ),
    "postpone": VisitAction(
        "Postpone the visit",
        "Postpone",
        f.VisitReasonForm,
        lambda v, u, d: services.visit_postpone(visit=v, by=u, reason=d["reason"]),
        "Visit postponed.",
    ),
    "reschedule": VisitAction(
        "Plan the visit again",
        "Save the new date",
        f.VisitRescheduleForm,
        lambda v, u, d: services.visit_reschedule(visit=v, by=u, planned_for=d["planned_for"]),
        "Visit planned again.",
    ),
    "cancel": VisitAction(
        "Cancel the visit",
        "Cancel the visit",
        f.VisitReasonForm,
        lambda v, u, d: services.visit_cancel(visit=v, by=u, reason=d["reason"]),
        "Visit cancelled.",
        warning=True,
    ),
}


@staff_required
@require_http_methods(["GET", "POST"])
def visit_action(request, pk, action):
    user = request.user
    visit = _visit(request, pk)
    spec = ACTIONS[action]
    if action not in presenters.visit_actions(user, visit):
        if not can(user, Perm.VISIT_MANAGE, visit) and not can(user, Perm.RESPOND, visit):
            raise PermissionDenied("Only the network's officers act on its visits.")
        raise Conflict(
            f"You cannot do that while the visit is '{visit.get_state_display()}'.",
            current_state=visit.state,
        )
    kwargs = {}
    if spec.form is f.VisitTeamForm:
        kwargs["representatives"] = _representatives(visit.network)
    initial = {}
    if spec.form is f.VisitReportForm:
        initial = {"report": visit.report, "findings": visit.findings}
    elif spec.form is f.VisitTeamForm:
        initial = {"team": list(visit.team.all())}
    form = spec.form(request.POST or None, initial=initial, **kwargs)

    def act(data):
        spec.call(visit, user, data)
        messages.success(request, spec.done)
        return redirect(visit.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=act,
        template="scrutiny/visit_action.html",
        context={"visit": visit, "spec": spec, "action": action},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def representatives(request):
    user = request.user
    network = _network(request)
    form = f.RepresentativeForm(request.POST or None)

    def act(data):
        services.representative_authorise(
            by=user, network=network, name=data["name"], authorised_on=data["authorised_on"]
        )
        messages.success(request, f"{data['name']} added as an authorised representative.")
        return redirect(reverse("scrutiny:representatives") + f"?network={network.pk}")

    return form_view(
        request,
        form,
        on_valid=act,
        template="scrutiny/representatives.html",
        context={
            "network": network,
            "representatives": visible(
                user, AuthorisedRepresentative.objects.filter(body=network)
            ).order_by("name", "id"),
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def site_add(request):
    _network(request)  # only a network's officers record premises
    form = f.SiteForm(request.POST or None)

    def act(data):
        site = services.site_add(by=request.user, **data)
        messages.success(request, f"{site.name} added.")
        return redirect("scrutiny:visit-plan")

    return form_view(request, form, on_valid=act, template="scrutiny/site_form.html")
