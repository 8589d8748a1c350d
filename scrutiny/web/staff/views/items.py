"""Drafting information requests and recommendations, recording responses, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import drafting as casework
from scrutiny.casework import services
from scrutiny.casework.models import (
    RecommendationState,
    RequestState,
    ResponseAttachment,
)
from scrutiny.casework.policy import (
    can,
    recommendations_visible_to,
    requests_visible_to,
    visible,
)
from scrutiny.casework.roles import Perm
from scrutiny.web import presenters
from scrutiny.web.staff.forms import (
    RecommendationDraftForm,
    RequestDraftForm,
    ResponseRecordForm,
    add_domain_error,
)
from scrutiny.web.staff.views.common import _case_topic, _conflict, _render_form
from workflows.errors import Conflict, DomainError, Forbidden


def _draft_view(request, pk, *, form_class, kind):
    user = request.user
    topic = _case_topic(request, pk)
    if not can(user, Perm.TOPIC_MANAGE, topic):
        raise PermissionDenied("Only the topic's support officers draft requests.")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "request":
                made = casework.information_requests_draft(
                    topic=topic, by=user, recipients=data["recipients"], question=data["question"]
                )
            else:
                made = casework.recommendations_draft(
                    topic=topic,
                    by=user,
                    recipients=data["recipients"],
                    text=data["text"],
                    rationale=data["rationale"],
                )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            noun = "request" if kind == "request" else "recommendation"
            messages.success(
                request, f"{len(made)} draft {noun}{'s' if len(made) != 1 else ''} saved."
            )
            return redirect(topic)
    return _render_form(
        request,
        "scrutiny/draft_form.html",
        {"topic": topic, "form": form, "kind": kind},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_draft(request, pk):
    return _draft_view(request, pk, form_class=RequestDraftForm, kind="request")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_draft(request, pk):
    return _draft_view(request, pk, form_class=RecommendationDraftForm, kind="recommendation")


def _response_view(request, subject, kind):
    user = request.user
    topic = subject.topic
    if not can(user, Perm.TOPIC_MANAGE, topic):
        raise PermissionDenied("Health bodies respond through their own page or the API.")
    open_states = (
        (RequestState.ISSUED, *services.REQUEST_OUTCOMES)
        if kind == "request"
        else (RecommendationState.ISSUED, RecommendationState.RESPONDED)
    )
    if subject.state not in open_states:
        return render(
            request,
            "scrutiny/conflict.html",
            {
                "topic": topic,
                "message": f"This {kind} is '{subject.get_state_display()}': there is no "
                "response to record.",
                "state_tag": presenters.state_tag(topic.state),
                "state_meaning": presenters.state_meaning(topic.state),
            },
            status=409,
        )
    form = ResponseRecordForm(request.POST or None, request.FILES or None, subject_kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.provider_response_record(
                subject=subject,
                by=user,
                channel=data["channel"],
                text=data["text"],
                outcome=data["outcome"],
                received_at=form.received_at(),
                refusal_ground=data.get("refusal_ground", ""),
                attachments=data["attachments"],
                action_plan=form.action_plan(),
                supersedes=subject.responses.filter(superseded_by__isnull=True).last(),
            )
        except Conflict as exc:
            return _conflict(request, exc, topic)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Response from {subject.recipient} recorded.")
            return redirect(subject.get_absolute_url())
    return _render_form(
        request,
        "scrutiny/response_form.html",
        {"topic": topic, "subject": subject, "kind": kind, "form": form},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_response(request, pk):
    subject = get_object_or_404(
        requests_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _response_view(request, subject, "request")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_response(request, pk):
    subject = get_object_or_404(
        recommendations_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _response_view(request, subject, "recommendation")


@login_required
@require_GET
def attachment_download(request, pk):
    """An attachment of a response, to whoever may see the request or recommendation."""
    attachment = get_object_or_404(visible(request.user, ResponseAttachment.objects.all()), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
