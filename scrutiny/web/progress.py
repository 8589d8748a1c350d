"""Reporting implementation progress on an accepted recommendation: one page shape for a
health body's responder (on the web) and for an officer recording an update that came by
letter, by e-mail or at a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from scrutiny.casework import services
from scrutiny.casework.models import Channel
from scrutiny.web.bodies.forms import ProgressForm
from scrutiny.web.errors import form_view
from workflows.errors import Conflict


def current_actions(recommendation):
    """The actions of the recommendation's current response, in target order."""
    response = recommendation.responses.current().order_by("-pk").first()
    return list(response.action_plan.all()) if response else []


def progress_view(request, recommendation, *, channels=None, back, template_context=None):
    """The progress form, for a responder (on the web) or an officer (by letter, e-mail or at a
    meeting: `channels`)."""
    if not services.implementation_monitored(recommendation):
        raise Conflict(
            "Implementation is reported once a recommendation is accepted or partly accepted: "
            f"this one is '{recommendation.get_state_display()}'.",
            current_state=recommendation.state,
        )
    actions = current_actions(recommendation)
    posted = request.method == "POST"
    form = ProgressForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        actions=actions,
        channels=channels,
    )

    def record(data):
        services.recommendation_update_implementation(
            recommendation=recommendation,
            by=request.user,
            status=data["status"],
            revised_date=data.get("revised_date"),
            note=data.get("note", ""),
            channel=data.get("channel", Channel.WEB),
            action=form.chosen_action,
            evidence=data.get("evidence") or [],
        )
        messages.success(request, "Progress recorded.")
        return redirect(back)

    return form_view(
        request,
        form,
        on_valid=record,
        template="bodies/progress_form.html",
        context={
            "subject": recommendation,
            "kind": "recommendation",
            "back": back,
            "updates": recommendation.implementation_updates.select_related(
                "action", "by"
            ).prefetch_related("evidence"),
            **(template_context or {}),
        },
    )
