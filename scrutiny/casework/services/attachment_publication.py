"""Publishing the attachments of health bodies' responses (docs/decisions/0032).

A `ResponseAttachment` is append-only and private. An officer of the topic chooses to publish
one: an `AttachmentPublication` records the choice and, when the officer redacted the document,
the redacted copy residents get instead, with a note of what was taken out. A publication can be
withdrawn with a reason; both moves are audit events on the request or recommendation. Residents
see a published attachment only while the topic is public and the response is the current one
(`scrutiny.casework.publication.attachments_public`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from scrutiny.casework.models import AttachmentPublication, ProviderResponse, ResponseAttachment
from scrutiny.casework.policy import can
from scrutiny.casework.roles import Perm
from scrutiny.casework.uploads import check_upload
from workflows.audit import EventType, log_event
from workflows.cache import public_cache_bump
from workflows.errors import Conflict, Forbidden, InvalidInput

REDACTION_NOTE_MAX_LENGTH = 1000


def _subject(attachment: ResponseAttachment):
    response = attachment.response
    return response.information_request or response.recommendation


def _check_officer(by, subject):
    if not can(by, Perm.TOPIC_MANAGE, subject.topic):
        raise Forbidden("Only the topic's officers publish the attachments of a response.")


def attachment_publish(
    *,
    attachment: ResponseAttachment,
    by,
    redacted_copy=None,
    redaction_note: str = "",
) -> AttachmentPublication:
    """Publish `attachment`: as it is, or as the redacted copy `redacted_copy` (an uploaded file,
    the checks of every upload) with `redaction_note` saying what was redacted. A note without a
    copy is allowed (the officer says, for instance, that nothing needed redacting); a copy
    without a note is not."""
    subject = _subject(attachment)
    _check_officer(by, subject)
    note = (redaction_note or "").strip()
    if len(note) > REDACTION_NOTE_MAX_LENGTH:
        message = f"The redaction note must be {REDACTION_NOTE_MAX_LENGTH} characters or fewer."
        raise InvalidInput(message, field_errors={"redaction_note": [message]})
    checked = check_upload(redacted_copy, field="redacted_copy") if redacted_copy else None
    if checked is not None and not note:
        message = "Say what was redacted from the copy, and why."
        raise InvalidInput(message, field_errors={"redaction_note": [message]})
    with transaction.atomic():
        locked = ResponseAttachment.objects.select_for_update().get(pk=attachment.pk)
        if ProviderResponse.objects.filter(supersedes_id=locked.response_id).exists():
            raise InvalidInput(
                "That response has been corrected: publish the attachments of the correction."
            )
        if AttachmentPublication.objects.live().filter(attachment=locked).exists():
            raise Conflict(f"'{locked.original_name}' is already published.")
        fields = {}
        if checked is not None:
            fields = {
                "redacted_file": checked.file,
                "redacted_name": checked.name,
                "redacted_content_type": checked.content_type,
                "redacted_size": checked.size,
                "redacted_sha256": checked.sha256,
            }
        try:
            with transaction.atomic():
                publication = AttachmentPublication.objects.create(
                    attachment=locked, published_by=by, redaction_note=note, **fields
                )
        except IntegrityError as exc:  # a concurrent publish won the race
            raise Conflict(f"'{locked.original_name}' is already published.") from exc
        log_event(
            subject,
            EventType.RESPONSE_ATTACHMENT_PUBLISHED,
            by=by,
            note=locked.original_name + (f" (redacted: {note})" if checked else ""),
            data={
                "attachment": locked.pk,
                "publication": publication.pk,
                "redacted": checked is not None,
            },
        )
        transaction.on_commit(public_cache_bump)
    return publication


def attachment_withdraw(*, publication: AttachmentPublication, by, reason: str):
    """Withdraw a published attachment from the public site, with a reason (kept in the log)."""
    subject = _subject(publication.attachment)
    _check_officer(by, subject)
    reason = (reason or "").strip()
    if not reason:
        message = "Enter the reason for withdrawing the document."
        raise InvalidInput(message, field_errors={"reason": [message]})
    with transaction.atomic():
        locked = AttachmentPublication.objects.select_for_update().get(pk=publication.pk)
        if locked.withdrawn_at is not None:
            raise Conflict(f"'{locked.public_name}' is no longer published.")
        locked.withdrawn_at, locked.withdrawn_by, locked.withdrawal_reason = (
            timezone.now(),
            by,
            reason,
        )
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        log_event(
            subject,
            EventType.RESPONSE_ATTACHMENT_WITHDRAWN,
            by=by,
            note=reason,
            data={"attachment": locked.attachment_id, "publication": locked.pk},
        )
        transaction.on_commit(public_cache_bump)
    return locked
