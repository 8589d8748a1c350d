"""One request or recommendation at a time: edit or delete a draft, withdraw one with a reason,
and agree a recommendation (the minuted meeting decision, or the chair's own action).

Each page finds the item through the visibility selectors (404 otherwise), asks the policy who
may use it (403), and calls one service inside `form_view`; a stale page (the item has moved on)
gets the service's 409.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from protocols.models import AgendaItem
from scrutiny.casework import services
from scrutiny.casework.models import RecommendationState, RequestState
from scrutiny.casework.policy import (
    can,
    recommendations_visible_to,
    requests_visible_to,
    visible,
)
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import form_view, page_subject
from scrutiny.web.staff.forms import (
    ChairsActionForm,
    ConfirmForm,
    MeetingAgreementForm,
    ReasonForm,
    RecommendationEditForm,
    RequestEditForm,
)
from workflows.errors import Conflict

KINDS = {
    "request": {
        "rows": requests_visible_to,
        "noun": "information request",
        "edit_form": RequestEditForm,
        "edit": lambda item, user, d: services.information_request_edit(
            request=item, by=user, question=d["question"], recipient=d["recipient"]
        ),
        "delete": lambda item, user: services.information_request_delete(request=item, by=user),
        "withdraw": lambda item, user, reason: services.information_request_withdraw(
            request=item, by=user, reason=reason
        ),
        "withdrawable": (RequestState.DRAFT, RequestState.ISSUED),
    },
    "recommendation": {
        "rows": recommendations_visible_to,
        "noun": "recommendation",
        "edit_form": RecommendationEditForm,
        "edit": lambda item, user, d: services.recommendation_edit(
            recommendation=item,
            by=user,
            text=d["text"],
            rationale=d["rationale"],
            recipient=d["recipient"],
        ),
        "delete": lambda item, user: services.recommendation_delete(recommendation=item, by=user),
        "withdraw": lambda item, user, reason: services.recommendation_withdraw(
            recommendation=item, by=user, reason=reason
        ),
        "withdrawable": (RecommendationState.DRAFT, RecommendationState.AGREED, "issued"),
    },
}


def _item(request, kind: str, pk: int):
    """The item, if the user may see its topic's case file (404 otherwise)."""
    spec = KINDS[kind]
    item = get_object_or_404(spec["rows"](request.user).select_related("topic", "recipient"), pk=pk)
    if not can(request.user, Perm.TOPIC_CASE_FILE, item.topic):
        raise Http404("No such item.")
    return page_subject(request, item)


def _managed_item(request, kind, pk, verb):
    item = _item(request, kind, pk)
    if not can(request.user, Perm.TOPIC_MANAGE, item.topic):
        raise PermissionDenied(f"Only the topic's support officers {verb} its items.")
    return item


def _only_draft(item, verb):
    if item.state != "draft":
        raise Conflict(
            f"Only a draft can be {verb}: this one is '{item.get_state_display()}'.",
            current_state=item.state,
        )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, kind, pk):
    spec = KINDS[kind]
    item = _managed_item(request, kind, pk, "edit")
    _only_draft(item, "edited")
    fields = [f for f in spec["edit_form"].base_fields if f != "recipient"]
    initial = {"recipient": item.recipient_id, **{f: getattr(item, f) for f in fields}}
    form = spec["edit_form"](request.POST or None, initial=initial)

    def edit(data):
        spec["edit"](item, request.user, data)
        messages.success(request, f"Draft {spec['noun']} saved.")
        return redirect(item.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=edit,
        template="scrutiny/item_form.html",
        context={
            "item": item,
            "topic": item.topic,
            "heading": f"Edit the draft {spec['noun']}",
            "button": "Save draft",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request, kind, pk):
    spec = KINDS[kind]
    item = _managed_item(request, kind, pk, "delete")
    _only_draft(item, "deleted")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    topic = item.topic

    def delete(data):
        spec["delete"](item, request.user)
        messages.success(request, f"Draft {spec['noun']} to {item.recipient} deleted.")
        return redirect(topic)

    return form_view(
        request,
        form,
        on_valid=delete,
        template="scrutiny/item_form.html",
        context={
            "item": item,
            "topic": topic,
            "heading": f"Delete this draft {spec['noun']}?",
            "lead": "It was never sent. The deletion, and what the draft said, stay on the "
            "topic's timeline.",
            "button": "Delete draft",
            "warning": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_withdraw(request, kind, pk):
    spec = KINDS[kind]
    item = _managed_item(request, kind, pk, "withdraw")
    if item.state not in spec["withdrawable"]:
        raise Conflict(
            f"This {spec['noun']} is '{item.get_state_display()}': it can no longer be withdrawn.",
            current_state=item.state,
        )
    form = ReasonForm(request.POST or None, initial={"expected_state": item.state})

    def withdraw(data):
        spec["withdraw"](item, request.user, data["reason"])
        messages.success(request, f"{spec['noun'].capitalize()} to {item.recipient} withdrawn.")
        return redirect(item.get_absolute_url())

    lead = (
        f"{item.recipient} no longer needs to respond; its clock stops."
        if item.was_issued
        else "It was never sent; withdrawing keeps it on the record with your reason."
    )
    return form_view(
        request,
        form,
        on_valid=withdraw,
        template="scrutiny/item_form.html",
        context={
            "item": item,
            "topic": item.topic,
            "heading": f"Withdraw this {spec['noun']}",
            "lead": lead,
            "button": f"Withdraw {spec['noun']}",
            "warning": True,
        },
    )


def _minuted_items(topic):
    """The topic's agenda items whose decision is minuted, newest first (label, id)."""
    rows = (
        AgendaItem.objects.filter(topic=topic, decided_at__isnull=False)
        .select_related("meeting")
        .order_by("-decided_at", "-pk")
    )
    return [(row.pk, f"{row.meeting}, item {row.position}: {row.decision[:120]}") for row in rows]


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_agree_at_meeting(request, pk):
    item = _managed_item(request, "recommendation", pk, "record agreement of")
    _only_draft(item, "agreed")
    choices = _minuted_items(item.topic)
    form = MeetingAgreementForm(request.POST or None, items=choices)

    def agree(data):
        agenda_item = get_object_or_404(
            visible(request.user, AgendaItem.objects.filter(topic=item.topic)),
            pk=data["agenda_item"],
        )
        services.recommendation_agree_at_meeting(
            recommendation=item, by=request.user, agenda_item=agenda_item
        )
        messages.success(request, "Agreement recorded: the recommendation can now be issued.")
        return redirect(item.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=agree,
        template="scrutiny/item_form.html",
        context={
            "item": item,
            "topic": item.topic,
            "heading": "Record the committee's agreement",
            "lead": "Choose the meeting item whose minutes record that the committee agreed "
            "this recommendation."
            if choices
            else "No meeting item about this topic has a minuted decision yet. Minute the "
            "decision on the meeting's page first, or ask the chair to agree it by chair's "
            "action.",
            "button": "Record agreement",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_chairs_action(request, pk):
    """The chair of the body making the recommendation agrees it themselves."""
    item = _item(request, "recommendation", pk)
    if not can(request.user, Perm.RECOMMENDATION_AGREE, item):
        raise PermissionDenied(
            "Only the chair of the body making this recommendation agrees it by chair's action."
        )
    _only_draft(item, "agreed")
    form = ChairsActionForm(request.POST or None)

    def agree(data):
        services.recommendation_agree_by_chair(
            recommendation=item, by=request.user, reason=data["reason"]
        )
        messages.success(request, "Chair's action recorded: the recommendation is agreed.")
        return redirect(item.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=agree,
        template="scrutiny/item_form.html",
        context={
            "item": item,
            "topic": item.topic,
            "heading": "Agree this recommendation by chair's action",
            "lead": f"As chair of {item.made_by}, you agree this recommendation without "
            "waiting for a meeting. The support officer then issues it.",
            "button": "Agree by chair's action",
        },
    )
