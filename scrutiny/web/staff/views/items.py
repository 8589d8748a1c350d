"""Drafting information requests and recommendations, recording responses, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import drafting, services
from scrutiny.casework.models import ImplementationEvidence, ResponseAttachment
from scrutiny.casework.policy import (
    can,
    recommendations_visible_to,
    requests_visible_to,
    visible,
)
from scrutiny.casework.roles import Perm
from scrutiny.web import progress
from scrutiny.web.errors import button_view, form_view, page_subject
from scrutiny.web.staff.forms import (
    OFFICER_CHANNELS,
    NoteToBodyForm,
    RecommendationDraftForm,
    RequestDraftForm,
    ResponseRecordForm,
)
from scrutiny.web.staff.views.common import _case_topic
from workflows.errors import Conflict


def _draft_view(request, pk, *, form_class, kind):
    user = request.user
    topic = _case_topic(request, pk)
    if not can(user, Perm.TOPIC_MANAGE, topic):
        raise PermissionDenied("Only the topic's support officers draft requests.")
    form = form_class(request.POST or None)

    def draft(data):
        if kind == "request":
            made = drafting.information_requests_draft(
                topic=topic, by=user, recipients=data["recipients"], question=data["question"]
            )
        else:
            made = drafting.recommendations_draft(
                topic=topic,
                by=user,
                recipients=data["recipients"],
                text=data["text"],
                rationale=data["rationale"],
            )
        noun = "request" if kind == "request" else "recommendation"
        messages.success(request, f"{len(made)} draft {noun}{'s' if len(made) != 1 else ''} saved.")
        return redirect(topic)

    return form_view(
        request,
        form,
        on_valid=draft,
        template="scrutiny/draft_form.html",
        context={"topic": topic, "kind": kind},
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
    if not services.response_recordable(subject):
        raise Conflict(
            f"This {kind} is '{subject.get_state_display()}': there is no response to record.",
            current_state=subject.state,
        )
    form = ResponseRecordForm(
        request.POST or None,
        request.FILES or None,
        subject_kind=kind,
        current_answer=services.response_current(subject),
    )

    def record(data):
        services.provider_response_record(
            subject=subject,
            by=user,
            channel=data["channel"],
            text=data["text"],
            outcome=data.get("outcome") or "",
            received_at=form.received_at(),
            refusal_ground=data.get("refusal_ground", ""),
            attachments=data["attachments"],
            action_plan=form.action_plan(),
            **form.service_arguments(),
        )
        messages.success(request, f"Response from {subject.recipient} recorded.")
        return redirect(subject.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=record,
        template="scrutiny/response_form.html",
        context={"topic": topic, "subject": subject, "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_response(request, pk):
    subject = get_object_or_404(
        requests_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _response_view(request, page_subject(request, subject), "request")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_response(request, pk):
    subject = get_object_or_404(
        recommendations_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _response_view(request, page_subject(request, subject), "recommendation")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_progress(request, pk):
    """An implementation update that came by letter, by e-mail or at a meeting, recorded by the
    topic's officer for the health body."""
    rec = get_object_or_404(
        recommendations_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    page_subject(request, rec)
    if not can(request.user, Perm.TOPIC_MANAGE, rec.topic):
        raise PermissionDenied("Only the topic's support officers record progress for a body.")
    return progress.progress_view(
        request, rec, channels=OFFICER_CHANNELS, back=rec.get_absolute_url()
    )


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


@login_required
@require_GET
def evidence_download(request, pk):
    """A document attached to an implementation update, to whoever may see the recommendation."""
    evidence = get_object_or_404(visible(request.user, ImplementationEvidence.objects.all()), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_http_methods(["POST"])
def evidence_publish(request, pk):
    """Publish a document attached to an implementation update (the topic's officers)."""
    evidence = get_object_or_404(
        visible(
            request.user, ImplementationEvidence.objects.select_related("update__recommendation")
        ),
        pk=pk,
    )
    rec = page_subject(request, evidence.update.recommendation)

    def done(published):
        messages.success(request, f"'{published.original_name}' is published.")
        return redirect(rec.get_absolute_url())

    return button_view(
        request,
        lambda: services.implementation_evidence_publish(evidence=evidence, by=request.user),
        on_done=done,
        back=rec,
    )


def _note_view(request, subject):
    page_subject(request, subject)
    if not can(request.user, Perm.TOPIC_MANAGE, subject.topic):
        raise PermissionDenied("Only the topic's support officers write to the health body.")
    form = NoteToBodyForm(request.POST or None)

    def write(data):
        services.item_note_to_body(item=subject, by=request.user, text=data["text"])
        messages.success(request, f"Note to {subject.recipient} added.")
        return redirect(subject.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=write,
        template="scrutiny/note_to_body_form.html",
        context={"topic": subject.topic, "subject": subject},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_note(request, pk):
    subject = get_object_or_404(
        requests_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _note_view(request, subject)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_note(request, pk):
    subject = get_object_or_404(
        recommendations_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _note_view(request, subject)
