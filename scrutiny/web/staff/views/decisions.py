"""Relevant decisions of an involvement network: the list, recording one, its statement and
reasons, publishing it and setting it aside (SI 2008/528 reg 2; docs/relevant-decisions.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from scrutiny.casework import services
from scrutiny.casework.models import DecisionState, Organisation
from scrutiny.casework.policy import body_ids, decisions_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.web import presenters
from scrutiny.web.errors import button_view, form_view, page_subject
from scrutiny.web.staff.decision_forms import (
    DecisionFilterForm,
    DecisionRecordForm,
    DecisionSetAsideForm,
    DecisionStatementForm,
)
from scrutiny.web.staff.views.common import _page, _query_string, staff_required
from workflows.audit import event_label
from workflows.models import AuditEvent


def _networks(user):
    """The involvement networks in which `user` records decisions."""
    return Organisation.objects.filter(
        pk__in=body_ids(user, Perm.TOPIC_MANAGE), kind=Organisation.Kind.INVOLVEMENT_NETWORK
    ).order_by("name")


@staff_required
def decision_list(request):
    user = request.user
    form = DecisionFilterForm(request.GET or None)
    decisions = decisions_visible_to(user).select_related("body", "topic")
    if form.is_valid():
        if form.cleaned_data["state"]:
            decisions = decisions.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["kind"]:
            decisions = decisions.filter(kind=form.cleaned_data["kind"])
    return render(
        request,
        "scrutiny/decision_list.html",
        {
            "form": form,
            "page_obj": _page(request, decisions.order_by("-decided_on", "-id")),
            "query_string": _query_string(request),
            "can_record": _networks(user).exists(),
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def decision_record(request):
    user = request.user
    networks = _networks(user)
    if not networks.exists():
        raise PermissionDenied("Only an involvement network's officers record its decisions.")
    form = DecisionRecordForm(request.POST or None, networks=networks)

    def record(data):
        decision = services.decision_record(
            body=data["body"],
            kind=data["kind"],
            by=user,
            statement=data["statement"],
            reasons=data["reasons"],
            decided_on=data["decided_on"],
        )
        messages.success(request, "Decision recorded.")
        return redirect(decision.get_absolute_url())

    return form_view(request, form, on_valid=record, template="scrutiny/decision_record.html")


def _decision(request, pk):
    decision = get_object_or_404(
        decisions_visible_to(request.user).select_related(
            "body", "topic", "due_rule", "recorded_by", "subject_type"
        ),
        pk=pk,
    )
    page_subject(request, decision)
    return decision


def _history(decision):
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(decision), object_id=decision.pk
    ).select_related("actor")
    return [(event, event_label(event)) for event in events.order_by("at", "id")]


@staff_required
@require_http_methods(["GET", "POST"])
def decision_detail(request, pk):
    """The decision, its clock and history, and (while it is due) its statement form."""
    user = request.user
    decision = _decision(request, pk)
    actions = presenters.decision_actions(user, decision)
    form = DecisionStatementForm(
        request.POST or None,
        initial={"statement": decision.statement, "reasons": decision.reasons},
    )
    context = {
        "decision": decision,
        "actions": actions,
        "history": _history(decision),
        "today": timezone.localdate(),
    }
    if request.method == "POST":
        if not actions.edit:
            raise PermissionDenied("Only the network's officers edit its decisions.")

        def save(data):
            services.decision_edit(
                decision=decision, by=user, statement=data["statement"], reasons=data["reasons"]
            )
            messages.success(request, "Statement saved.")
            return redirect(decision.get_absolute_url())

        return form_view(
            request, form, on_valid=save, template="scrutiny/decision_detail.html", context=context
        )
    return render(request, "scrutiny/decision_detail.html", {**context, "form": form})


@staff_required
@require_POST
def decision_publish(request, pk):
    decision = _decision(request, pk)

    def done(published):
        messages.success(request, "Statement of the decision published.")
        return redirect(published.get_absolute_url())

    return button_view(
        request,
        lambda: services.decision_publish(decision=decision, by=request.user),
        on_done=done,
        back=decision,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def decision_set_aside(request, pk):
    decision = _decision(request, pk)
    if decision.state != DecisionState.RECORDED:
        return redirect(decision.get_absolute_url())
    form = DecisionSetAsideForm(request.POST or None)

    def set_aside(data):
        services.decision_set_aside(decision=decision, by=request.user, reason=data["reason"])
        messages.success(request, "Decision set aside.")
        return redirect(decision.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=set_aside,
        template="scrutiny/decision_set_aside.html",
        context={"decision": decision},
    )
