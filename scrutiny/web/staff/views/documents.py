"""Publishing the attachments of a response on the public site, and withdrawing them
(scrutiny.casework.services.attachment_publication; docs/staff-guide.md)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from scrutiny.casework import services
from scrutiny.casework.models import AttachmentPublication, ResponseAttachment
from scrutiny.casework.policy import visible
from scrutiny.casework.services.attachment_publication import REDACTION_NOTE_MAX_LENGTH
from scrutiny.casework.uploads import ALLOWED_DESCRIPTION, MAX_UPLOAD_BYTES
from scrutiny.web.errors import form_view, page_subject


class AttachmentPublishForm(forms.Form):
    redacted_copy = forms.FileField(
        label="Redacted copy (optional)",
        required=False,
        help_text="If you took anything out of the document (a patient's details, a member of "
        "staff's name), upload the redacted copy: residents get it instead of the original, "
        f"which stays private. {ALLOWED_DESCRIPTION}; smaller than "
        f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    )
    redaction_note = forms.CharField(
        label="Redaction note",
        required=False,
        max_length=REDACTION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was redacted and why. Shown to residents with the document; needed "
        "with a redacted copy.",
    )


class AttachmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the document being withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the history of the request or recommendation; not shown to residents.",
        error_messages={"required": "Enter the reason for withdrawing the document."},
    )


def _subject(attachment):
    return attachment.response.information_request or attachment.response.recommendation


@login_required
@require_http_methods(["GET", "POST"])
def attachment_publish(request, pk):
    attachment = get_object_or_404(
        visible(
            request.user,
            ResponseAttachment.objects.select_related(
                "response__information_request__topic", "response__recommendation__topic"
            ),
        ),
        pk=pk,
    )
    subject = page_subject(request, _subject(attachment))
    form = AttachmentPublishForm(request.POST or None, request.FILES or None)

    def publish(data):
        pub = services.attachment_publish(
            attachment=attachment,
            by=request.user,
            redacted_copy=data["redacted_copy"],
            redaction_note=data["redaction_note"],
        )
        messages.success(request, f"'{pub.public_name}' is published with the response.")
        return redirect(subject.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=publish,
        template="scrutiny/attachment_publish.html",
        context={"attachment": attachment, "subject": subject, "topic": subject.topic},
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_withdraw(request, pk):
    pub = get_object_or_404(
        AttachmentPublication.objects.live()
        .filter(attachment__in=visible(request.user, ResponseAttachment.objects.all()))
        .select_related(
            "attachment__response__information_request__topic",
            "attachment__response__recommendation__topic",
        ),
        pk=pk,
    )
    subject = page_subject(request, _subject(pub.attachment))
    form = AttachmentWithdrawForm(request.POST or None)

    def withdraw(data):
        services.attachment_withdraw(publication=pub, by=request.user, reason=data["reason"])
        messages.success(request, f"'{pub.public_name}' is no longer published.")
        return redirect(subject.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=withdraw,
        template="scrutiny/attachment_withdraw.html",
        context={"publication": pub, "subject": subject, "topic": subject.topic},
    )
