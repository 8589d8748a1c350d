"""Topic pages: the list, the case page, raising a topic, its lifecycle actions, positions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from protocols import selectors as protocol_selectors
from protocols import services as protocol_services
from scrutiny.casework import notices, selectors, services
from scrutiny.casework.models import (
    Organisation,
    RecommendationState,
    Topic,
    TopicState,
)
from scrutiny.casework.policy import body_ids, can, owner_ids, topics_visible_to, visible
from scrutiny.casework.roles import Perm
from scrutiny.web import meetings, presenters
from scrutiny.web.errors import form_view
from scrutiny.web.staff.forms import (
    ChooseItemsForm,
    ConcludeForm,
    NoteForm,
    PositionAgreeForm,
    PositionForm,
    PrioritiseForm,
    ReasonForm,
    ScoresCorrectForm,
    TopicFilterForm,
    TopicRaiseForm,
)
from scrutiny.web.staff.views.common import (
    _case_topic,
    _page,
    _query_string,
    staff_required,
)
from workflows.clocks import calendar_for
from workflows.errors import Conflict, InvalidInput
from workflows.services import available_transitions, transition_allowed_for

# --- topics ----------------------------------------------------------------------------------


@login_required
def topic_list(request):
    user = request.user
    partnerships = selectors.partnerships_visible_to(user)
    form = TopicFilterForm(request.GET or None, partnerships=partnerships)
    state, partnership, q = "", None, ""
    if form.is_bound and form.is_valid():
        state = form.cleaned_data["state"]
        partnership = form.cleaned_data["partnership"]
        q = form.cleaned_data["q"].strip()
    topics = selectors.topic_list(
        user, state=state, partnership=partnership.pk if partnership else None, q=q
    )
    page = _page(request, topics)
    return render(
        request,
        "scrutiny/topic_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": _query_string(request),
            "can_raise": can(user, Perm.TOPIC_RAISE),
        },
    )


@login_required
def topic_detail(request, pk):
    user = request.user
    topic = get_object_or_404(topics_visible_to(user), pk=pk)
    topic = selectors.topic_for_page(Topic.objects.all(), pk=topic.pk)
    full = can(user, Perm.TOPIC_CASE_FILE, topic)
    today = timezone.localdate()
    requests = list(selectors.topic_requests(user, topic))
    recommendations = list(selectors.topic_recommendations(user, topic))
    context = {
        "topic": topic,
        "full": full,
        "today": today,
        "cf_calendar": calendar_for(),
        "requests": requests,
        "recommendations": recommendations,
        "state_tag": presenters.state_tag(topic.state),
        "state_meaning": presenters.state_meaning(topic.state),
    }
    if full:
        sent = notices.notices_by_item([*requests, *recommendations])
        for item in (*requests, *recommendations):
            item.notices = sent.get(notices.item_key(item), [])
        referral = selectors.topic_referral(topic)
        context.update(
            referral=referral,
            actions=presenters.topic_actions(
                user,
                topic,
                referral=referral,
                requests=requests,
                recommendations=recommendations,
            ),
            positions=list(topic.positions.select_related("organisation", "recorded_by")),
            timeline=sorted(
                [
                    *selectors.topic_timeline(user, topic, requests, recommendations, referral),
                    *meetings.topic_meetings_timeline(topic, user),
                ],
                key=lambda entry: entry.at,
            ),
            parties=Organisation.objects.filter(pk__in=owner_ids(topic)),
        )
        if topic.score_total is not None:
            framework = topic.applicable_framework()
            if framework.pk == topic.framework_id:  # the scores were given under it
                context.update(
                    framework=framework,
                    score_rows=presenters.score_summary(
                        topic.scores,
                        topic.score_total,
                        framework.criteria,
                        framework.threshold,
                        framework.max_total,
                    ),
                )
    return render(request, "scrutiny/topic_detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def topic_raise(request):
    user = request.user
    bodies = list(Organisation.objects.filter(pk__in=body_ids(user, Perm.TOPIC_RAISE)))
    partnerships = list(
        selectors.partnerships_visible_to(user).prefetch_related("scrutiny_committees")
    )
    form = TopicRaiseForm(request.POST or None, bodies=bodies, partnerships=partnerships)

    def raise_topic(data):
        partnership, body = form.owner_objects()
        referral = data["source"] == Topic.Source.REFERRAL and partnership is not None
        topic = services.topic_raise(
            by=user,
            title=data["title"],
            summary=data["summary"],
            lead_body=data["lead_body"],
            partnership=partnership,
            body=body,
            source=data["source"],
            health_bodies=data["health_bodies"],
            committee=form.committee_object(),
            # The agreed protocol's acknowledgement period (protocols sees it, casework cannot).
            acknowledgement_rule=(
                protocol_services.referral_acknowledgement_rule(partnership) if referral else None
            ),
        )
        messages.success(request, f"Topic raised: {topic.title}")
        return redirect(topic)

    return form_view(request, form, on_valid=raise_topic, template="scrutiny/topic_raise.html")


# One view per topic transition, all alike: the form, the permission, the service.
TRANSITIONS = {
    "prioritise": {
        "form": PrioritiseForm,
        "heading": "Prioritise this topic",
        "button": "Save scores and prioritise",
        "done": "Topic prioritised.",
        "call": lambda t, u, d, form: services.topic_prioritise(
            topic=t,
            by=u,
            scores=form.scores(),
            note=d["note"],
            expected_state=d["expected_state"] or None,
            below_threshold_reason=d["below_threshold_reason"],
        ),
    },
    "decline": {
        "form": ReasonForm,
        "heading": "Decline this topic",
        "button": "Decline topic",
        "warning": True,
        "done": "Topic declined.",
        "call": lambda t, u, d, form: services.topic_decline(
            topic=t, by=u, reason=d["reason"], expected_state=d["expected_state"] or None
        ),
    },
    "withdraw": {
        "form": ReasonForm,
        "heading": "Withdraw this topic",
        "button": "Withdraw topic",
        "warning": True,
        "done": "Topic withdrawn.",
        "call": lambda t, u, d, form: services.topic_withdraw(
            topic=t, by=u, reason=d["reason"], expected_state=d["expected_state"] or None
        ),
    },
    "reopen": {
        "form": NoteForm,
        "heading": "Reopen this topic",
        "button": "Reopen topic",
        "done": "Topic reopened.",
        "call": lambda t, u, d, form: services.topic_reopen(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "request_information": {
        "form": NoteForm,
        "heading": "Resolve to request information",
        "button": "Record the decision",
        "done": "Decision recorded: draft the requests next.",
        "call": lambda t, u, d, form: services.topic_request_information(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "issue_requests": {
        "form": ChooseItemsForm,
        "heading": "Issue the information requests",
        "button": "Issue requests",
        "hint": "Draft at least one request first.",
        "done": "Requests issued: each health body's clock has started.",
        "call": lambda t, u, d, form: services.topic_issue_requests(
            topic=t,
            by=u,
            ids=d["items"],
            note=d["note"],
            expected_state=d["expected_state"] or None,
        ),
    },
    "make_recommendations": {
        "form": ChooseItemsForm,
        "heading": "Issue the recommendations",
        "button": "Issue recommendations",
        "hint": "Only agreed recommendations are issued: record the committee's minuted "
        "decision, or ask the chair to agree one by chair's action, on the topic page.",
        "done": "Recommendations issued: each health body's clock has started.",
        "call": lambda t, u, d, form: services.topic_make_recommendations(
            topic=t,
            by=u,
            ids=d["items"],
            note=d["note"],
            expected_state=d["expected_state"] or None,
        ),
    },
    "request_more": {
        "form": NoteForm,
        "heading": "Request more information",
        "button": "Record the decision",
        "done": "Decision recorded: draft the further requests next.",
        "call": lambda t, u, d, form: services.topic_request_more(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "conclude": {
        "form": ConcludeForm,
        "heading": "Conclude this topic",
        "button": "Conclude topic",
        "done": "Topic concluded.",
        "call": lambda t, u, d, form: services.topic_conclude(
            topic=t,
            by=u,
            outcome_summary=d["outcome_summary"],
            dispositions=form.dispositions(),
            expected_state=d["expected_state"] or None,
        ),
    },
}


@login_required
@require_http_methods(["GET", "POST"])
def topic_transition(request, pk, name):
    if name not in TRANSITIONS:
        raise Http404("No such action.")
    spec = TRANSITIONS[name]
    user = request.user
    topic = _case_topic(request, pk)
    if not transition_allowed_for(topic, name, user):
        raise PermissionDenied(f"You may not {name.replace('_', ' ')} this topic.")
    if (
        request.method == "GET"
        and name not in available_transitions(topic, user, field="state")
        and topic.state in TopicState.values
    ):
        # The page was reached from a stale link: say what the case is now.
        hint = f" {spec['hint']}" if spec.get("hint") else ""
        raise Conflict(
            f"'{spec['heading']}' is not possible now: the topic is "
            f"'{topic.get_state_display()}'.{hint}",
            current_state=topic.state,
        )
    kwargs, initial, extra = {}, {"expected_state": topic.state}, {}
    if name == "prioritise":
        kwargs["framework"] = topic.applicable_framework()
    if name == "conclude" and name in available_transitions(topic, user, field="state"):
        # Asked only when the topic can conclude; otherwise the service says why not (409).
        kwargs["open_items"] = services.topic_open_items(topic)
    if name in ("issue_requests", "make_recommendations"):
        kwargs, initial["items"], extra = _issuable(topic, name)
    form = spec["form"](request.POST or None, initial=initial, **kwargs)

    def apply(data):
        spec["call"](topic, user, data, form)
        messages.success(request, spec["done"])
        return redirect(topic)

    context = {
        "topic": topic,
        "spec": spec,
        "name": name,
        "state_tag": presenters.state_tag(topic.state),
        **kwargs,
        **extra,
    }
    return form_view(
        request, form, on_valid=apply, template="scrutiny/topic_action.html", context=context
    )


def _issuable(topic, name):
    """The choice of what to issue: (form kwargs, the ids ticked to begin with, context).

    Requests: the drafts, with those drafted since the topic's last move (this round of asking)
    ticked; older drafts, left from an earlier round, are listed but not ticked. Recommendations:
    the agreed ones, all ticked (agreeing was the decision to send them); drafts not yet agreed
    are listed apart, as they cannot be issued.
    """
    if name == "issue_requests":
        drafts = list(topic.requests.drafts().select_related("recipient").order_by("pk"))
        since = selectors.topic_state_since(topic)
        ticked = [d.pk for d in drafts if since is None or d.created_at >= since]
        form_kwargs = {"items": drafts, "label": "Which draft requests do you want to issue now?"}
        return (
            form_kwargs,
            ticked,
            {
                "older_drafts": [d for d in drafts if d.pk not in ticked],
                "unreachable": _unreachable(drafts),
            },
        )
    recs = list(
        topic.recommendations.filter(
            state__in=[RecommendationState.DRAFT, RecommendationState.AGREED]
        )
        .select_related("recipient")
        .order_by("pk")
    )
    agreed = [r for r in recs if r.state == RecommendationState.AGREED]
    form_kwargs = {
        "items": agreed,
        "label": "Which agreed recommendations do you want to issue now?",
    }
    unagreed = [r for r in recs if r.state == RecommendationState.DRAFT]
    return (
        form_kwargs,
        [r.pk for r in agreed],
        {"unagreed": unagreed, "unreachable": _unreachable(agreed)},
    )


def _unreachable(items) -> list:
    """The bodies among `items`' recipients an ask would reach nobody at (one query)."""
    ids = notices.unreachable_bodies({i.recipient for i in items})
    return sorted({i.recipient for i in items if i.recipient_id in ids}, key=lambda b: b.name)


SCORES_SPEC = {
    "heading": "Correct the scores",
    "button": "Save the corrected scores",
}


@login_required
@require_http_methods(["GET", "POST"])
def topic_scores(request, pk):
    """Correct a prioritised topic's scores (logged with before and after)."""
    user = request.user
    topic = _case_topic(request, pk)
    if not can(user, Perm.TOPIC_PRIORITISE, topic):
        raise PermissionDenied("You may not score this topic.")
    if topic.state != TopicState.PRIORITISED:
        raise Conflict(
            "Scores are corrected while the topic is 'Prioritised'; it is "
            f"'{topic.get_state_display()}'.",
            current_state=topic.state,
        )
    framework = topic.framework or topic.applicable_framework()
    initial = {f"score_{k}": str(v) for k, v in (topic.scores or {}).items()}
    initial["below_threshold_reason"] = topic.below_threshold_reason
    form = ScoresCorrectForm(request.POST or None, initial=initial, framework=framework)

    def correct(data):
        services.topic_scores_correct(
            topic=topic,
            by=user,
            scores=form.scores(),
            reason=data["reason"],
            below_threshold_reason=data["below_threshold_reason"],
        )
        messages.success(request, "Scores corrected.")
        return redirect(topic)

    return form_view(
        request,
        form,
        on_valid=correct,
        template="scrutiny/topic_action.html",
        context={
            "topic": topic,
            "spec": SCORES_SPEC,
            "name": "prioritise",
            "framework": framework,
            "state_tag": presenters.state_tag(topic.state),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_position(request, pk):
    user = request.user
    topic = _case_topic(request, pk)
    if not topic.is_joint or not can(user, Perm.TOPIC_POSITION, topic):
        raise PermissionDenied("Positions are recorded by a partner body's staff on joint topics.")
    bodies = visible(
        user, Organisation.objects.filter(pk__in=owner_ids(topic)), Perm.TOPIC_POSITION
    )
    form = PositionForm(request.POST or None, bodies=bodies)

    def record(data):
        services.topic_record_position(
            topic=topic,
            by=user,
            organisation=data["organisation"],
            position=data["position"],
            recommendation=data["recommendation"],
        )
        messages.success(request, f"{data['organisation']}'s position recorded.")
        return redirect(topic)

    return form_view(
        request,
        form,
        on_valid=record,
        template="scrutiny/position_form.html",
        context={"topic": topic},
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_position_agree(request, pk, position_pk):
    """The body agrees its proposed position: by its chair's action, or at a meeting (the
    minuted decision of an agenda item on this topic)."""
    user = request.user
    topic = _case_topic(request, pk)
    position = get_object_or_404(topic.positions.select_related("organisation"), pk=position_pk)
    chair = can(user, Perm.CHAIR_BODY, position.organisation)
    items = (
        list(protocol_selectors.minuted_items_on(topic, position.organisation))
        if can(user, Perm.TOPIC_MANAGE, topic)
        else []
    )
    if request.method == "POST" and not chair and not can(user, Perm.TOPIC_MANAGE, topic):
        # Anyone who sees the case file may read how a position gets agreed (the page says).
        raise PermissionDenied("The body's chair, or an officer minuting a meeting, agrees it.")
    form = PositionAgreeForm(request.POST or None, chair=chair, items=items)

    def agree(data):
        if data["how"] == "meeting":
            item = next((i for i in items if i.pk == data.get("item")), None)
            if item is None:
                raise InvalidInput(
                    "Choose the minuted decision.",
                    field_errors={"item": ["Choose the minuted decision."]},
                )
            protocol_services.item_agree_position(item=item, position=position, by=user)
        else:
            services.topic_position_agree(
                position=position, by=user, how=data["how"], note=data["note"]
            )
        messages.success(request, f"{position.organisation}'s position is agreed and published.")
        return redirect(topic)

    return form_view(
        request,
        form,
        on_valid=agree,
        template="scrutiny/position_agree.html",
        context={"topic": topic, "position": position},
    )
