"""Replies by e-mail to the notices of asks, for the topic's officers to file or set aside."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from scrutiny.casework import inbound
from scrutiny.casework.models import (
    InformationRequest,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
)
from scrutiny.web.errors import form_view, page_subject
from scrutiny.web.staff.views.common import staff_required


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="What is this reply?",
        error_messages={"required": "Choose what the reply is."},
    )
    refusal_ground = forms.ChoiceField(
        choices=[("", "Choose a ground"), *RefusalGround.choices],
        required=False,
        label="Ground for refusing",
        help_text="Only when the body refused the request.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Why it is not an answer",
        help_text="Only when it is not an answer (a question, an acknowledgement).",
    )

    def __init__(self, *args, is_request: bool, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = (
            [
                (RequestState.ANSWERED, "An answer"),
                (RequestState.PARTIALLY_ANSWERED, "A partial answer"),
                (RequestState.REFUSED, "A refusal"),
            ]
            if is_request
            else [(v, f"A response: {label.lower()}") for v, label in RecommendationOutcome.choices]
        )
        self.fields["decision"].choices = [*outcomes, ("not_an_answer", "Not an answer")]
        if not is_request:
            del self.fields["refusal_ground"]

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "not_an_answer" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why it is not an answer.")
        if "refusal_ground" in self.fields:
            refused = decision == RequestState.REFUSED
            if refused and not data.get("refusal_ground"):
                self.add_error("refusal_ground", "Choose the ground for refusing.")
            if not refused and data.get("refusal_ground"):
                self.add_error("refusal_ground", "Give a ground only for a refusal.")
        return data


@staff_required
def reply_list(request):
    return render(
        request,
        "scrutiny/reply_list.html",
        {"replies": inbound.replies_to_review(request.user)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def reply_review(request, pk):
    email = get_object_or_404(inbound.replies_to_review(request.user), pk=pk)
    item = page_subject(request, email.subject_item)
    is_request = isinstance(item, InformationRequest)
    form = ReviewForm(request.POST or None, is_request=is_request)

    def review(data):
        if data["decision"] == "not_an_answer":
            inbound.inbound_reject(email=email, by=request.user, note=data["note"])
            messages.success(request, "The reply was set aside: it is kept, not filed.")
            return redirect("scrutiny:reply-list")
        inbound.inbound_file(
            email=email,
            by=request.user,
            outcome=data["decision"],
            refusal_ground=data.get("refusal_ground", ""),
        )
        messages.success(request, f"Filed as {item.recipient}’s response, received by e-mail.")
        return redirect(item.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=review,
        template="scrutiny/reply_review.html",
        context={"email": email, "item": item, "is_request": is_request},
    )
