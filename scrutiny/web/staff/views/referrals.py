"""Referrals: the list, acknowledging one and keeping the involvement network informed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scrutiny.casework import selectors, services
from scrutiny.casework.models import (
    ReferralState,
)
from scrutiny.casework.policy import can, referrals_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.web import presenters
from scrutiny.web.errors import form_view, page_subject
from scrutiny.web.staff.forms import (
    ReferralAcknowledgeForm,
    ReferralUpdateForm,
)
from scrutiny.web.staff.views.common import (
    _page,
    _query_string,
    staff_required,
)
from workflows.clocks import calendar_for
from workflows.errors import Conflict

# --- referrals -------------------------------------------------------------------------------


@staff_required
def referral_list(request):
    user = request.user
    state = request.GET.get("state", "")
    if state not in ReferralState.values:
        state = ""
    referrals = selectors.referral_list(user, state=state)
    page = _page(request, referrals)
    for referral in page.object_list:
        referral.actions = presenters.referral_actions(user, referral)
    return render(
        request,
        "scrutiny/referral_list.html",
        {
            "page_obj": page,
            "query_string": _query_string(request),
            "state": state,
            "states": ReferralState.choices,
            "today": timezone.localdate(),
            "cf_calendar": calendar_for(),
        },
    )


def _referral_action(request, pk, *, form_class, expect_state, template_heading, call, done):
    user = request.user
    referral = get_object_or_404(
        referrals_visible_to(user).select_related("topic", "from_body", "to_body", "due_rule"),
        pk=pk,
    )
    page_subject(request, referral)
    if not can(user, Perm.REFERRAL_ACKNOWLEDGE, referral):
        raise PermissionDenied("Only the scrutiny committee's officers act on a referral.")
    if referral.state != expect_state:
        raise Conflict(
            f"This referral is '{referral.get_state_display()}'.", current_state=referral.state
        )
    form = form_class(request.POST or None)

    def act(data):
        call(referral, user, data["text"])
        messages.success(request, done)
        return redirect(referral.topic.get_absolute_url() + "#referral")

    return form_view(
        request,
        form,
        on_valid=act,
        template="scrutiny/referral_form.html",
        context={"referral": referral, "heading": template_heading},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_acknowledge(request, pk):
    return _referral_action(
        request,
        pk,
        form_class=ReferralAcknowledgeForm,
        expect_state=ReferralState.AWAITING_ACKNOWLEDGEMENT,
        template_heading="Acknowledge the referral",
        call=lambda r, u, text: services.referral_acknowledge(referral=r, by=u, text=text),
        done="Referral acknowledged.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_update(request, pk):
    return _referral_action(
        request,
        pk,
        form_class=ReferralUpdateForm,
        expect_state=ReferralState.ACKNOWLEDGED,
        template_heading="Keep the involvement network informed",
        call=lambda r, u, text: services.referral_add_update(referral=r, by=u, text=text),
        done="Update recorded.",
    )
