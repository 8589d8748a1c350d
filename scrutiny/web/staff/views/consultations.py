"""Service-change consultations and requests to the Secretary of State; the health-body
register (docs/consultations.md, docs/health-body-register.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from protocols.board_imports import board_meetings_import_ics
from protocols.models import AgendaItem, MeetingState
from protocols.services import item_assess_consultation
from scrutiny.casework import policy, services
from scrutiny.casework.models import (
    BoardMeeting,
    CallInRequest,
    Consultation,
    ConsultationChannel,
    Organisation,
)
from scrutiny.casework.roles import Perm
from scrutiny.casework.services.register import health_body_plan_save
from scrutiny.web import presenters
from scrutiny.web.errors import form_view, page_subject
from scrutiny.web.staff.forms import (
    BoardFeedForm,
    CallInAnswerForm,
    CallInOutcomeForm,
    CallInRequestForm,
    ConsultationCommentsForm,
    ConsultationDecisionForm,
    ConsultationForm,
    ConsultationViewForm,
    HealthBodyPlanForm,
)
from scrutiny.web.staff.views.common import _page, staff_required

FORM_TEMPLATE = "scrutiny/consultation_form.html"


def _consultation(request, pk) -> Consultation:
    consultation = get_object_or_404(
        policy.consultations_visible_to(request.user).select_related(
            "body", "committee", "topic", "due_rule"
        ),
        pk=pk,
    )
    return page_subject(request, consultation)


@staff_required
def consultation_list(request):
    consultations = (
        policy.consultations_visible_to(request.user)
        .select_related("body", "committee")
        .order_by("-received_on", "-id")
    )
    page = _page(request, consultations)
    today = timezone.localdate()
    rows = [presenters.consultation_row(c, today=today) for c in page.object_list]
    return render(
        request,
        "scrutiny/consultation_list.html",
        {"page_obj": page, "rows": rows, "may_record": policy.can(request.user, Perm.TOPIC_RAISE)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_new(request):
    committees = policy.visible(
        request.user,
        Organisation.objects.filter(kind=Organisation.Kind.SCRUTINY_COMMITTEE),
        Perm.TOPIC_RAISE,
    )
    if not committees.exists():
        raise PermissionDenied("Only a scrutiny committee's staff record its consultations.")
    form = ConsultationForm(request.POST or None, committees=committees)

    def record(data):
        documents = []
        if data.get("document_title") or data.get("document_url"):
            documents = [(data.get("document_title"), data.get("document_url"))]
        consultation = services.consultation_record(
            by=request.user,
            body=data["body"],
            committee=data["committee"],
            title=data["title"],
            what_changes=data["what_changes"],
            who_is_affected=data["who_is_affected"],
            received_on=data["received_on"],
            proposed_decision_on=data["proposed_decision_on"],
            comments_due_on=data["comments_due_on"],
            channel=ConsultationChannel.OFFICER,
            documents=documents,
        )
        messages.success(request, "Consultation recorded.")
        return redirect(consultation.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=record,
        template=FORM_TEMPLATE,
        context={"heading": "Record a consultation", "back_url": "/consultations/"},
    )


@staff_required
def consultation_detail(request, pk):
    consultation = _consultation(request, pk)
    return render(
        request,
        "scrutiny/consultation_detail.html",
        presenters.consultation_detail(
            consultation,
            documents=list(consultation.documents.all()),
            call_ins=list(consultation.call_in_requests.select_related("due_rule")),
            user=request.user,
            today=timezone.localdate(),
        ),
    )


def _action(request, consultation, form, *, heading, call, done):
    def act(data):
        call(data)
        messages.success(request, done)
        return redirect(consultation.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=act,
        template=FORM_TEMPLATE,
        context={
            "heading": heading,
            "consultation": consultation,
            "back_url": consultation.get_absolute_url(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_view(request, pk):
    consultation = _consultation(request, pk)
    items = (
        AgendaItem.objects.filter(
            topic=consultation.topic,
            meeting__state=MeetingState.HELD,
            decided_at__isnull=False,
        )
        .select_related("meeting")
        .order_by("meeting__date", "position")
    )
    form = ConsultationViewForm(request.POST or None, items=items)
    return _action(
        request,
        consultation,
        form,
        heading="Record the committee's view: is it a substantial variation?",
        call=lambda d: item_assess_consultation(
            item=d["item"],
            consultation=consultation,
            by=request.user,
            substantial=d["substantial"],
            reason=d["reason"],
        ),
        done="The committee's view is recorded.",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_comments(request, pk):
    consultation = _consultation(request, pk)
    form = ConsultationCommentsForm(request.POST or None, initial={"on": timezone.localdate()})
    return _action(
        request,
        consultation,
        form,
        heading="Send the committee's comments",
        call=lambda d: services.consultation_send_comments(
            consultation=consultation, by=request.user, comments=d["comments"], on=d["on"]
        ),
        done="Comments recorded as sent.",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consultation_decision(request, pk):
    consultation = _consultation(request, pk)
    form = ConsultationDecisionForm(request.POST or None)
    return _action(
        request,
        consultation,
        form,
        heading="Record the body's decision",
        call=lambda d: services.consultation_record_decision(
            consultation=consultation,
            by=request.user,
            decision=d["decision"],
            reasons=d["reasons"],
            on=d["on"],
        ),
        done="Decision recorded.",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def call_in_new(request, pk):
    consultation = _consultation(request, pk)
    form = CallInRequestForm(request.POST or None)
    return _action(
        request,
        consultation,
        form,
        heading="Record a request to the Secretary of State",
        call=lambda d: services.call_in_request_record(
            consultation=consultation,
            by=request.user,
            requested_by_name=d["requested_by_name"],
            requested_by_body=consultation.committee if d["requested_by_committee"] else None,
            requested_on=d["requested_on"],
            ground=d["ground"],
            grounds=d["grounds"],
        ),
        done="Request recorded.",
    )


def _call_in(request, pk) -> CallInRequest:
    request_obj = get_object_or_404(
        policy.visible(request.user, CallInRequest.objects.select_related("consultation")), pk=pk
    )
    return page_subject(request, request_obj)


@staff_required
@require_http_methods(["GET", "POST"])
def call_in_answer(request, pk):
    call_in = _call_in(request, pk)
    form = CallInAnswerForm(request.POST or None)
    return _action(
        request,
        call_in.consultation,
        form,
        heading="Record the Secretary of State's answer",
        call=lambda d: services.call_in_answer(
            request=call_in, by=request.user, called_in=d["called_in"], on=d["on"], note=d["note"]
        ),
        done="Answer recorded.",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def call_in_outcome(request, pk):
    call_in = _call_in(request, pk)
    form = CallInOutcomeForm(request.POST or None)
    return _action(
        request,
        call_in.consultation,
        form,
        heading="Record the Secretary of State's decision",
        call=lambda d: services.call_in_record_outcome(
            request=call_in, by=request.user, outcome=d["outcome"], text=d["text"], on=d["on"]
        ),
        done="Decision recorded.",
    )


# --- The health-body register ----------------------------------------------------------------


@staff_required
def register_list(request):
    bodies = Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY).order_by("name")
    page = _page(request, bodies)
    return render(request, "scrutiny/register_list.html", {"page_obj": page})


def _register_body(request, slug) -> Organisation:
    return get_object_or_404(
        Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY), slug=slug
    )


@staff_required
def register_body(request, slug):
    body = _register_body(request, slug)
    now = timezone.now()
    return render(
        request,
        "scrutiny/register_body.html",
        presenters.register_page(
            body,
            plans=list(body.plans.all()),
            board_meetings=list(
                BoardMeeting.objects.filter(body=body, starts_at__gte=now).order_by("starts_at")[
                    :12
                ]
            ),
            consultations=list(
                policy.consultations_visible_to(request.user)
                .filter(body=body)
                .select_related("committee")
            ),
            may_keep=policy.can_keep_register_of(request.user, body),
            today=timezone.localdate(),
        ),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def register_plan(request, slug):
    body = _register_body(request, slug)
    form = HealthBodyPlanForm(request.POST or None)

    def save(data):
        health_body_plan_save(by=request.user, body=body, **data)
        messages.success(request, "Plan recorded.")
        return redirect("scrutiny:register-body", slug=body.slug)

    return form_view(
        request,
        form,
        on_valid=save,
        template=FORM_TEMPLATE,
        context={"heading": f"Record a plan of {body}", "back_url": f"/register/{body.slug}/"},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def register_board_feed(request, slug):
    body = _register_body(request, slug)
    form = BoardFeedForm(request.POST or None, request.FILES or None)

    def load(data):
        result = board_meetings_import_ics(by=request.user, body=body, uploaded=data["file"])
        messages.success(
            request,
            f"{len(result.created)} board meeting(s) added, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged.",
        )
        return redirect("scrutiny:register-body", slug=body.slug)

    return form_view(
        request,
        form,
        on_valid=load,
        template=FORM_TEMPLATE,
        context={
            "heading": f"Import {body}'s board meetings",
            "back_url": f"/register/{body.slug}/",
            "multipart": True,
        },
    )
