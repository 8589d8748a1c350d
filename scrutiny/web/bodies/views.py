"""A health body's responder's pages: the inbox of what their body is asked, and answering a
request or responding to a recommendation on the web (form, check your answer, confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import inbox as inboxes
from scrutiny.casework import services
from scrutiny.casework.models import Channel, RefusalGround, ResponseKind, Visit, VisitState
from scrutiny.casework.models.items import ISSUED
from scrutiny.casework.policy import recommendations_visible_to, requests_visible_to
from scrutiny.casework.uploads import uploads_checked
from scrutiny.web import progress
from scrutiny.web.bodies import pending
from scrutiny.web.bodies.forms import (
    MAX_ACTION_ROWS,
    AnswerForm,
    CorrectionForm,
    VisitReplyForm,
)
from scrutiny.web.errors import form_view, page_subject
from workflows.errors import Conflict

PAGE_SIZE = 25


@login_required
@require_GET
def inbox(request):
    bodies = list(inboxes.responder_bodies(request.user))
    if not bodies:
        raise PermissionDenied("This page is for the responders of a health body.")
    body = bodies[0]
    wanted = request.GET.get("body", "")
    if wanted:
        body = next((b for b in bodies if str(b.pk) == wanted or b.slug == wanted), None)
        if body is None:
            raise PermissionDenied("You do not answer for that body.")
    box = inboxes.inbox_for(
        request.user, body, today=timezone.localdate(), show=request.GET.get("show", "")
    )
    page = Paginator(box.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["show"] = box.show
    links = {}
    for key in inboxes.GROUPS:
        params = request.GET.copy()
        params.pop("page", None)
        params["show"] = key
        links[key] = params.urlencode()
    return render(
        request,
        "bodies/inbox.html",
        {
            "box": box,
            "bodies": bodies,
            "groups": [(k, label, count, links[k]) for k, label, count in box.groups],
            "page_obj": page,
            "query_string": query.urlencode(),
            "today": timezone.localdate(),
            "visits": body_visits(request.user)
            .filter(site__body=body)
            .select_related("site")
            .order_by("-carried_out_on", "-id")[:PAGE_SIZE],
        },
    )


# --- Answering on the web --------------------------------------------------------------------

KINDS = {"requests": "request", "recommendations": "recommendation"}


def _subject(request, kind: str, pk: int):
    """An item addressed to one of the bodies the user answers for (404 otherwise)."""
    bodies = inboxes.responder_bodies(request.user)
    qs = (
        requests_visible_to(request.user)
        if kind == "request"
        else recommendations_visible_to(request.user)
    )
    return get_object_or_404(
        qs.filter(recipient__in=bodies).select_related("topic", "recipient", "due_rule"), pk=pk
    )


def _answerable(subject, kind: str):
    """Only an issued item is answered here; anything else is a conflict that says why."""
    if subject.state != ISSUED:
        noun = "request" if kind == "request" else "recommendation"
        raise Conflict(
            f"This {noun} is '{subject.get_state_display()}': there is nothing to answer now. "
            "To correct an answer already given, contact the officer who asked.",
            current_state=subject.state,
        )


def _form_initial(answer: dict) -> dict:
    initial = {k: answer.get(k, "") for k in ("outcome", "refusal_ground", "text")}
    for i, row in enumerate(answer.get("action_plan", []), start=1):
        initial |= {f"action_{i}": row["action"], f"owner_{i}": row["owner"]}
        initial[f"target_{i}"] = row["target_date"]
    return initial


# The two journeys through the same three pages: a first answer, and a correction of the
# current one (which needs its reason: docs/decisions/0015-one-current-answer.md).
ANSWER, CORRECT = "answer", "correct"


def _correctable(subject, kind: str):
    """The current answer of an item that can still take one; a conflict that says why not."""
    noun = "request" if kind == "request" else "recommendation"
    current = services.response_current(subject)
    if current is None or not services.response_recordable(subject):
        raise Conflict(
            f"This {noun} is '{subject.get_state_display()}': "
            + (
                "it has no answer to correct."
                if current is None
                else "its answer cannot be corrected now."
            )
            + " Contact the officer who asked.",
            current_state=subject.state,
        )
    return current


def _journey(mode: str, kind: str, subject):
    """What the journey changes: the current answer it corrects (None for a first answer)."""
    if mode == CORRECT:
        return _correctable(subject, kind)
    _answerable(subject, kind)
    return None


def _pending_key(mode, kind, pk):
    return pending.key(kind if mode == ANSWER else f"correct:{kind}", pk)


def _url(mode: str, step: str) -> str:
    return f"bodies:{mode}" + (f"-{step}" if step else "")


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, kinds, pk):
    return _form_step(request, kinds, pk, ANSWER)


@login_required
@require_http_methods(["GET", "POST"])
def correct(request, kinds, pk):
    return _form_step(request, kinds, pk, CORRECT)


def _form_step(request, kinds, pk, mode):
    kind = KINDS[kinds]
    subject = page_subject(request, _subject(request, kind, pk))
    current = _journey(mode, kind, subject)
    skey = _pending_key(mode, kind, subject.pk)
    kept = pending.load(request, skey)
    form_class = CorrectionForm if mode == CORRECT else AnswerForm
    if request.method == "GET":
        rows = max(1, len(kept.get("action_plan", [])))
        initial = _form_initial(kept)
        if mode == CORRECT:
            initial["correction_reason"] = kept.get("correction_reason", "")
        form = form_class(initial=initial, kind=kind, rows=rows)
        return _answer_page(request, form, subject, kind, kept, mode, current)
    rows = _rows(request.POST.get("rows"))
    adding = "add_row" in request.POST
    form = form_class(request.POST, request.FILES, kind=kind, rows=rows)
    files = list(kept.get("files", []))
    valid = form.is_valid()
    uploads = form.cleaned_data.get("attachments", []) if "attachments" not in form.errors else []
    checked, problems = uploads_checked(uploads)
    for problem in problems:
        form.add_error("attachments", problem)
        valid = False
    files += pending.stash_files(checked)
    if checked:
        pending.save(request, skey, {**kept, "files": files})
        kept = pending.load(request, skey)
    if adding:
        # One more action row; what was typed stays, without errors shown yet.
        data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        data["rows"] = min(rows + 1, MAX_ACTION_ROWS)
        form = form_class(initial=data, kind=kind, rows=rows + 1)
        return _answer_page(request, form, subject, kind, kept, mode, current)
    if not valid:
        return _answer_page(request, form, subject, kind, kept, mode, current, status=400)
    data = form.cleaned_data
    pending.save(
        request,
        skey,
        {
            "outcome": data["outcome"],
            "refusal_ground": data.get("refusal_ground", ""),
            "text": data["text"],
            "action_plan": form.action_plan() if kind == "recommendation" else [],
            "files": files,
            "correction_reason": data.get("correction_reason", ""),
            "supersedes": current.pk if current else None,
        },
    )
    return redirect(_url(mode, "check"), kinds=kinds, pk=subject.pk)


def _rows(value) -> int:
    try:
        return max(1, min(int(value or 1), MAX_ACTION_ROWS))
    except (TypeError, ValueError):
        return 1


def _answer_page(request, form, subject, kind, kept, mode, current, status=200):
    return render(
        request,
        "bodies/answer_form.html",
        {
            "form": form,
            "subject": subject,
            "kind": kind,
            "kinds": f"{kind}s",
            "files": kept.get("files", []),
            "can_add_row": kind == "recommendation" and form.row_count < MAX_ACTION_ROWS,
            "correcting": mode == CORRECT,
            "current": current,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_check(request, kinds, pk):
    return _check_step(request, kinds, pk, ANSWER)


@login_required
@require_http_methods(["GET", "POST"])
def correct_check(request, kinds, pk):
    return _check_step(request, kinds, pk, CORRECT)


def _check_step(request, kinds, pk, mode):
    kind = KINDS[kinds]
    subject = page_subject(request, _subject(request, kind, pk))
    skey = _pending_key(mode, kind, subject.pk)
    kept = pending.load(request, skey)
    if not kept.get("text"):
        return redirect(_url(mode, ""), kinds=kinds, pk=subject.pk)
    current = _journey(mode, kind, subject)
    if mode == CORRECT and current.pk != kept.get("supersedes"):
        raise Conflict(
            "The answer you were correcting has changed since you started: a colleague "
            f"corrected it (the current answer was received {current.received_at:%-d %b %Y}). "
            "Read it, and correct that one if it still needs it.",
            current_state=subject.state,
        )
    if request.method == "POST":
        handles = pending.open_files(kept)
        try:
            services.provider_response_record(
                subject=subject,
                by=request.user,
                channel=Channel.WEB,
                text=kept["text"],
                outcome=kept["outcome"],
                refusal_ground=kept.get("refusal_ground", ""),
                attachments=handles,
                action_plan=kept.get("action_plan", []),
                supersedes=current,
                correction_reason=kept.get("correction_reason", "") if current else "",
            )
        finally:
            for h in handles:
                h.close()
        pending.discard(request, skey)
        return redirect(_url(mode, "done"), kinds=kinds, pk=subject.pk)
    outcome_label = dict(AnswerForm(kind=kind).fields["outcome"].choices).get(kept["outcome"])
    return render(
        request,
        "bodies/answer_check.html",
        {
            "subject": subject,
            "kind": kind,
            "kinds": kinds,
            "answer": kept,
            "outcome_label": outcome_label,
            "ground_label": dict(RefusalGround.choices).get(kept.get("refusal_ground", ""), ""),
            "correcting": mode == CORRECT,
            "current": current,
            "change_url": reverse(_url(mode, ""), kwargs={"kinds": kinds, "pk": subject.pk}),
        },
    )


@login_required
@require_GET
def answer_done(request, kinds, pk):
    return _done_step(request, kinds, pk, ANSWER)


@login_required
@require_GET
def correct_done(request, kinds, pk):
    return _done_step(request, kinds, pk, CORRECT)


def _done_step(request, kinds, pk, mode):
    kind = KINDS[kinds]
    subject = _subject(request, kind, pk)
    response = (
        subject.responses.filter(superseded_by__isnull=True, kind=ResponseKind.ANSWER)
        .order_by("-pk")
        .first()
    )
    return render(
        request,
        "bodies/answer_done.html",
        {
            "subject": subject,
            "kind": kind,
            "kinds": kinds,
            "response": response,
            "correcting": mode == CORRECT,
        },
    )


# --- One item: the whole conversation ---------------------------------------------------------


@login_required
@require_GET
def item(request, kinds, pk):
    """An item addressed to the user's body, with everything said about it. The first time a
    responder of that body opens it, that is recorded (once: `inbox.item_first_viewed`)."""
    kind = KINDS[kinds]
    subject = _subject(request, kind, pk)
    inboxes.item_first_viewed(subject, request.user)
    current = services.response_current(subject)
    return render(
        request,
        "bodies/item.html",
        {
            "subject": subject,
            "kind": kind,
            "kinds": kinds,
            "said": inboxes.conversation(subject),
            "can_answer": subject.state == ISSUED,
            "can_correct": current is not None and services.response_recordable(subject),
            "can_report": kind == "recommendation" and services.implementation_monitored(subject),
        },
    )


# --- Implementation progress -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def progress_report(request, pk):
    rec = page_subject(request, _subject(request, "recommendation", pk))
    return progress.progress_view(request, rec, back=reverse("bodies:inbox") + "?show=updates_due")


# --- Enter and View: the provider's accuracy comments and response ------------------------------

VISIT_REPLIES = {
    VisitState.ACCURACY_CHECK: (
        "Your comments on the draft report's factual accuracy",
        services.visit_record_accuracy_comments,
        "Thank you: your comments were sent to the network.",
    ),
    VisitState.PUBLISHED: (
        "Your response to the report and its recommendations",
        services.visit_record_response,
        "Thank you: your response was recorded and is published with the report.",
    ),
}


def body_visits(user):
    """The visits to premises of the bodies `user` answers for, from the accuracy check on."""
    return Visit.all_objects.visible_to(user).filter(site__body__in=inboxes.responder_bodies(user))


@login_required
@require_http_methods(["GET", "POST"])
def visit(request, pk):
    """A visit report sent to the responder's body: read it, and comment on its accuracy or
    respond to it while that is open."""
    subject = page_subject(
        request,
        get_object_or_404(body_visits(request.user).select_related("site__body", "network"), pk=pk),
    )
    reply = VISIT_REPLIES.get(subject.state)
    if request.method == "POST" and reply is None:
        raise Conflict(
            f"This visit is '{subject.get_state_display()}': there is nothing to reply to now.",
            current_state=subject.state,
        )
    form = VisitReplyForm(request.POST or None, label=reply[0] if reply else "Reply")

    def act(data):
        reply[1](visit=subject, by=request.user, text=data["text"])
        messages.success(request, reply[2])
        return redirect("bodies:visit", pk=subject.pk)

    return form_view(
        request,
        form,
        on_valid=act,
        template="bodies/visit.html",
        context={
            "visit": subject,
            "reply_open": reply is not None,
            "recommendations": list(
                recommendations_visible_to(request.user).filter(visit=subject).order_by("pk")
            ),
            "today": timezone.localdate(),
        },
    )
