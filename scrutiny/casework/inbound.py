"""Answers by e-mail: a health body replies to the notice of an ask, and the reply is kept.

`email_receive(raw)` takes one RFC 5322 message (as an MTA pipes it to `manage.py
receive_email`, or as the IMAP poller fetches it), and keeps it as an `InboundEmail`:

- matched to its request or recommendation by the reference the notice carried in its subject
  (`CF-R12`, `CF-M3`), or in the address it was sent to (`replies+CF-R12@…`): to review;
- nothing matches: the administrators' queue (the admin's "Inbound e-mails"), never lost;
- a bounce or an automatic reply (delivery reports, `Auto-Submitted`, `X-Autoreply`,
  `Precedence: bulk`, mailer-daemon senders): kept as such, never filed as an answer.

The same Message-ID twice (an MTA's retry) is kept once. A message over
`CF_INBOUND_MAX_BYTES`, or one that cannot be parsed, is refused with `MessageRefused`, which the
command and the poller log and move past.

An officer then files a reply to review as the body's response (`inbound_file`: the channel is
e-mail and the time received is when the message arrived, not when it was filed), or marks it
not an answer (`inbound_reject`). Attachments go through the same checks as an upload.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html import unescape

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.html import strip_tags

from scrutiny.casework.models import (
    InformationRequest,
    Recommendation,
    RequestState,
    ResponseKind,
)
from scrutiny.casework.models.inbound import InboundAttachment, InboundEmail, InboundState
from scrutiny.casework.policy import People, can, case_files_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.responses import provider_response_record, response_current
from scrutiny.casework.uploads import check_upload
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import Notification
from workflows.notifications import notification_bounced, notification_for_message_id

log = logging.getLogger(__name__)

REFERENCE = re.compile(r"\bCF-([RM])(\d{1,18})\b", re.IGNORECASE)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
_AUTO_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")


class MessageRefused(Exception):
    """The message is not kept: too large, or not a message at all."""


@dataclass
class ParsedEmail:
    message_id: str
    from_name: str
    from_address: str
    subject: str
    text: str
    recipients: list[str]
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    automatic_reason: str = ""
    # `Authentication-Results` headers (RFC 8601), as the receiving servers added them.
    auth_results: list[str] = field(default_factory=list)
    # A bounce's whole text (the delivery status and the quoted headers), to find its notice.
    report: str = ""


def _max_bytes() -> int:
    return int(getattr(settings, "CF_INBOUND_MAX_BYTES", 25 * 1024 * 1024))


def _automatic(msg: EmailMessage, from_address: str) -> str:
    """Why the message is a bounce or an automatic reply ("" when a person wrote it)."""
    if msg.get_content_type() == "multipart/report":
        return "delivery report"
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if msg.get(header) is not None and header != "X-Auto-Response-Suppress":
            return header
    if str(msg.get("Precedence", "")).strip().lower() in _AUTO_PRECEDENCE:
        return f"Precedence: {msg.get('Precedence')}"
    if from_address.split("@")[0].lower() in _BOUNCE_SENDERS:
        return "sent by a mail server"
    if str(msg.get("Return-Path", "")).strip() == "<>":
        return "empty return path"
    return ""


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_type() == "text/html":
        content = unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)))
    return re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()


def email_parse(raw: bytes) -> ParsedEmail:
    if len(raw) > _max_bytes():
        raise MessageRefused(f"message of {len(raw)} bytes is over the {_max_bytes()} limit")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        from_name, from_address = parseaddr(str(msg.get("From", "")))
        if "@" not in from_address:
            raise MessageRefused("no sender address")
        attachments = []
        for part in msg.iter_attachments():
            payload = part.get_content()
            if isinstance(payload, str):
                payload = payload.encode()
            if not isinstance(payload, bytes):
                continue  # an attached message: its text is not an attachment
            attachments.append(
                (part.get_filename() or "attachment", part.get_content_type(), payload)
            )
        recipients = [
            a
            for _, a in getaddresses(
                [str(v) for h in ("To", "Cc", "Delivered-To") for v in msg.get_all(h, [])]
            )
        ]
        automatic = _automatic(msg, from_address)
        bounce = automatic == "delivery report" or automatic == "sent by a mail server"
        return ParsedEmail(
            message_id=str(msg.get("Message-ID", "")).strip()[:300],
            from_name=from_name[:200],
            from_address=from_address.lower()[:254],
            subject=" ".join(str(msg.get("Subject", "")).split())[:300],
            text=_text(msg),
            recipients=recipients,
            attachments=attachments,
            automatic_reason=automatic,
            auth_results=[str(v) for v in msg.get_all("Authentication-Results", [])],
            report=raw.decode("latin-1") if bounce else "",
        )
    except MessageRefused:
        raise
    except Exception as exc:  # a malformed message must not stop the poller
        raise MessageRefused(f"cannot be parsed: {type(exc).__name__}") from exc


def _referenced_item(parsed: ParsedEmail):
    for where in (parsed.subject, *parsed.recipients):
        for letter, pk in REFERENCE.findall(where or ""):
            model = InformationRequest if letter.upper() == "R" else Recommendation
            item = (
                model.all_objects.exclude(state="draft")
                .select_related("recipient")
                .filter(pk=int(pk))
                .first()
            )
            if item is not None:
                return item
    return None


# --- Who really sent it (docs/decisions/0017-inbound-trust.md) --------------------------------

_RESULT = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_PROPERTY = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom)\s*=\s*([^\s;]+)")


def _domain_of(value: str) -> str:
    return value.rsplit("@", 1)[-1].strip().strip(">").lower()


def _aligned(domain: str, sender_domain: str) -> bool:
    return bool(domain) and (sender_domain == domain or sender_domain.endswith("." + domain))


def sender_check(parsed: ParsedEmail) -> str:
    """How the sender was proven ("" when it was not): `CF_INBOUND_TRUST_FROM`, or an
    `Authentication-Results` header of our own server (`CF_INBOUND_AUTHSERV_ID`) with
    dmarc=pass, or dkim=pass / spf=pass for the From address's domain. Headers of other
    servers are ignored: anyone can write one (RFC 8601 section 7.1)."""
    if getattr(settings, "CF_INBOUND_TRUST_FROM", False):
        return "CF_INBOUND_TRUST_FROM"
    ours = (getattr(settings, "CF_INBOUND_AUTHSERV_ID", "") or "").strip().lower()
    if not ours:
        return ""
    sender_domain = _domain_of(parsed.from_address)
    for header in parsed.auth_results:
        authserv, _, results = header.partition(";")
        ids = authserv.split()
        if not ids or ids[0].lower() != ours:
            continue
        for method, outcome, details in _RESULT.findall(results):
            if outcome.lower() != "pass":
                continue
            props = {k.lower(): _domain_of(v) for k, v in _PROPERTY.findall(details)}
            method = method.lower()
            if method == "dmarc" and _aligned(props.get("header.from", ""), sender_domain):
                return f"{ours}: dmarc=pass"
            if method == "dmarc" and "header.from" not in props:
                return f"{ours}: dmarc=pass"
            domain = props.get("header.d") or props.get("header.i") or props.get("smtp.mailfrom")
            if method in ("dkim", "spf") and domain and _aligned(domain, sender_domain):
                return f"{ours}: {method}=pass ({domain})"
    return ""


def _auto_file(email: InboundEmail, item, responder) -> str:
    """File a proven reply from a responder of the addressed body as its response, with no
    officer: further information beside an answer already given, or the answer to a request
    still open ("answered": the body corrects it on the web if it was less). A recommendation
    still open stays to review (its outcome and action plan are not read from an e-mail), as
    does anything the service refuses. Returns why it was not filed ("" when it was)."""
    current = response_current(item)
    if current is None and not isinstance(item, InformationRequest):
        return "A response to a recommendation says accepted or rejected: an officer files it."
    kind = ResponseKind.FURTHER_INFORMATION if current is not None else ResponseKind.ANSWER
    try:
        with transaction.atomic():
            response = provider_response_record(
                subject=item,
                by=responder,
                channel="email",
                text=email.text or "(The e-mail had no text; see its attachments.)",
                outcome="" if current is not None else RequestState.ANSWERED,
                received_at=email.received_at,
                attachments=[_named(a) for a in email.attachments.all()],
                kind=kind,
            )
    except (Conflict, Forbidden, InvalidInput) as exc:
        return f"Not filed automatically: {exc}"
    email.state = InboundState.FILED
    email.response = response
    email.filed_automatically = True
    email.save(update_fields=["state", "response", "filed_automatically"])
    return ""


_FINAL_RECIPIENT = re.compile(r"(?im)^(?:final|original)-recipient:\s*rfc822;\s*<?([^\s>]+)")


def _bounced_notice(parsed: ParsedEmail):
    """The notice a bounce reports on: by the Message-ID it quotes, else by the reference in
    the quoted subject and the recipient the report names."""
    found = notification_for_message_id(parsed.report)
    if found is not None:
        return found
    recipients = {a.lower() for a in _FINAL_RECIPIENT.findall(parsed.report)}
    for letter, pk in REFERENCE.findall(parsed.report):
        model = InformationRequest if letter.upper() == "R" else Recommendation
        found = (
            Notification.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id=int(pk),
                to_email__in=recipients,
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if found is not None:
            return found
    return None


def email_receive(raw: bytes) -> InboundEmail:
    """Keep one inbound message (see the module's docstring)."""
    parsed = email_parse(raw)
    if parsed.message_id:
        seen = InboundEmail.objects.filter(message_id=parsed.message_id).first()
        if seen is not None:
            return seen
    item = None if parsed.automatic_reason else _referenced_item(parsed)
    responder = None
    if item is not None:
        responder = next(
            (
                u
                for u in People([item.recipient_id]).holding([item.recipient_id], Perm.RESPOND)
                if u.is_active and (u.email or "").lower() == parsed.from_address
            ),
            None,
        )
    if parsed.automatic_reason:
        state = InboundState.AUTOMATIC
    else:
        state = InboundState.TO_REVIEW if item is not None else InboundState.UNMATCHED
    refused_files = []
    with transaction.atomic():
        email = InboundEmail.objects.create(
            message_id=parsed.message_id,
            from_address=parsed.from_address,
            from_name=parsed.from_name,
            subject=parsed.subject,
            text=parsed.text,
            state=state,
            automatic_reason=parsed.automatic_reason[:120],
            information_request=item if isinstance(item, InformationRequest) else None,
            recommendation=item if isinstance(item, Recommendation) else None,
            known_responder=responder,
        )
        for name, _declared_type, payload in parsed.attachments:
            upload = ContentFile(payload, name=name)
            try:
                checked = check_upload(upload)
            except InvalidInput as exc:
                refused_files.append(f"{name}: {exc.message}")
                continue
            InboundAttachment.objects.create(
                email=email,
                file=ContentFile(payload, name=checked.name),
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
            )
        if refused_files:
            email.review_note = "Attachments not kept: " + "; ".join(refused_files)
            email.save(update_fields=["review_note"])
        if state == InboundState.AUTOMATIC and parsed.report:
            notice = _bounced_notice(parsed)
            if notice is not None:
                notification_bounced(notice, reason=email.subject or "delivery report")
                email.bounce_of = notice
                email.save(update_fields=["bounce_of"])
        elif state == InboundState.TO_REVIEW and responder is not None:
            email.sender_check = sender_check(parsed)[:200]
            if email.sender_check:
                why_not = _auto_file(email, item, responder)
                if why_not:
                    email.review_note = "\n".join(filter(None, [email.review_note, why_not]))
            email.save(update_fields=["sender_check", "review_note"])
    log.info(
        "inbound e-mail %s from %s: %s%s",
        email.pk,
        email.from_address,
        email.get_state_display(),
        f" ({item.__class__.__name__} {item.pk})" if item is not None else "",
    )
    return email


def email_receive_safely(raw: bytes) -> InboundEmail | None:
    """`email_receive`, logging and returning None for a refused message (the poller's and the
    command's form: one bad message never stops the others)."""
    try:
        return email_receive(raw)
    except MessageRefused as exc:
        log.warning("inbound e-mail refused: %s", exc)
    except IntegrityError:
        log.exception("inbound e-mail could not be stored")
    return None


def _reviewable(email: InboundEmail, by) -> None:
    item = email.subject_item
    if item is None or email.state != InboundState.TO_REVIEW:
        raise InvalidInput("Only a reply matched to a request or recommendation is reviewed here.")
    if not can(by, Perm.TOPIC_MANAGE, item.topic):
        raise Forbidden("Only the topic's support officers review its replies.")


def inbound_file(
    *, email: InboundEmail, by, outcome: str, refusal_ground: str = "", action_plan=()
) -> InboundEmail:
    """File a reply as the health body's response: channel e-mail, received when it arrived."""
    _reviewable(email, by)
    with transaction.atomic():
        locked = InboundEmail.objects.select_for_update().get(pk=email.pk)
        if locked.state != InboundState.TO_REVIEW:
            raise InvalidInput("This reply has already been reviewed.")
        response = provider_response_record(
            subject=locked.subject_item,
            by=by,
            channel="email",
            text=locked.text or "(The e-mail had no text; see its attachments.)",
            outcome=outcome,
            refusal_ground=refusal_ground,
            received_at=locked.received_at,
            attachments=[_named(a) for a in locked.attachments.all()],
            action_plan=action_plan,
        )
        locked.state = InboundState.FILED
        locked.response = response
        locked.reviewed_by = by
        locked.save(update_fields=["state", "response", "reviewed_by"])
    return locked


def _named(attachment: InboundAttachment) -> ContentFile:
    """A copy of the attachment under its own name: the response keeps its own file."""
    with attachment.file.open("rb") as handle:
        return ContentFile(handle.read(), name=attachment.original_name)


def inbound_reject(*, email: InboundEmail, by, note: str) -> InboundEmail:
    """Mark a reply as not an answer (a question, an acknowledgement), with why."""
    _reviewable(email, by)
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Say why it is not an answer.", field_errors={"note": ["Say why."]})
    updated = InboundEmail.objects.filter(pk=email.pk, state=InboundState.TO_REVIEW).update(
        state=InboundState.REJECTED, reviewed_by=by, review_note=note
    )
    if not updated:
        raise InvalidInput("This reply has already been reviewed.")
    email.refresh_from_db()
    return email


def replies_to_review(user):
    """Matched replies awaiting an officer, for the topics `user` manages."""
    topics = case_files_visible_to(user).values("pk")
    return (
        InboundEmail.objects.filter(state=InboundState.TO_REVIEW)
        .filter(Q(information_request__topic__in=topics) | Q(recommendation__topic__in=topics))
        .select_related(
            "information_request__topic",
            "recommendation__topic",
            "information_request__recipient",
            "recommendation__recipient",
            "known_responder",
        )
        .prefetch_related("attachments")
    )
