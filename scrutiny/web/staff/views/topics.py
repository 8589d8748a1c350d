"""Topic pages: the list, the case page, raising a topic, its lifecycle actions, positions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from scrutiny.casework import publication, selectors, services
from scrutiny.casework.models import (
    Organisation,
    PrioritisationFramework,
    ReferralState,
    RequestState,
    Topic,
    TopicState,
)
from scrutiny.casework.policy import body_ids, can, owner_ids, topics_visible_to, visible
from scrutiny.casework.roles import Perm
from scrutiny.web import meetings, presenters
from scrutiny.web.staff.forms import (
    ConcludeForm,
    NoteForm,
    PositionForm,
    PrioritiseForm,
    ReasonForm,
    TopicFilterForm,
    TopicRaiseForm,
    add_domain_error,
)
from scrutiny.web.staff.views.common import (
    _case_topic,
    _conflict,
    _page,
    _query_string,
    _render_form,
    staff_required,
)
from workflows.clocks import calendar_for
from workflows.errors import Conflict, DomainError, Forbidden
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
        referral = selectors.topic_referral(topic)
        manage = can(user, Perm.TOPIC_MANAGE, topic)
        framework = topic.framework or (
            topic.partnership.framework if topic.partnership_id else None
        )
        context.update(
            referral=referral,
            can_acknowledge=bool(
                referral
                and referral.state == ReferralState.AWAITING_ACKNOWLEDGEMENT
                and can(user, Perm.REFERRAL_ACKNOWLEDGE, referral)
            ),
            can_update_referral=bool(
                referral
                and referral.state == ReferralState.ACKNOWLEDGED
                and can(user, Perm.REFERRAL_ACKNOWLEDGE, referral)
            ),
            actions=available_transitions(topic, user),
            can_manage=manage,
            publishable=topic.state in publication.PUBLISHABLE_STATES,
            can_draft=manage and topic.state in services.DRAFTABLE_FOR_REQUESTS,
            can_position=topic.is_joint
            and topic.state not in (TopicState.WITHDRAWN, TopicState.DECLINED)
            and can(user, Perm.TOPIC_POSITION, topic),
            positions=list(topic.positions.select_related("organisation", "recorded_by")),
            timeline=sorted(
                [
                    *selectors.topic_timeline(user, topic, requests, recommendations, referral),
                    *meetings.topic_meetings_timeline(topic, user),
                ],
                key=lambda entry: entry.at,
            ),
            parties=Organisation.objects.filter(pk__in=owner_ids(topic)),
            framework=framework,
            score_rows=(
                presenters.score_summary(
                    topic.scores,
                    topic.score_total,
                    framework.criteria,
                    framework.threshold,
                    framework.max_total,
                )
                if framework
                else None
            ),
            responding_states=(RequestState.ISSUED, *services.REQUEST_OUTCOMES),
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
    if request.method == "POST" and form.is_valid():
        partnership, body = form.owner_objects()
        data = form.cleaned_data
        try:
            topic = services.topic_raise(
                by=user,
                title=data["title"],
                summary=data["summary"],
                lead_body=data["lead_body"],
                partnership=partnership,
                body=body,
                source=data["source"],
                health_bodies=data["health_bodies"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Topic raised: {topic.title}")
            return redirect(topic)
    return _render_form(
        request, "scrutiny/topic_raise.html", {"form": form}, invalid=request.method == "POST"
    )


# One view per topic transition, all alike: the form, the permission, the service.
TRANSITIONS = {
    "prioritise": {
        "form": PrioritiseForm,
        "heading": "Prioritise this topic",
        "button": "Save scores and prioritise",
        "done": "Topic prioritised.",
    },
    "decline": {
        "form": ReasonForm,
        "heading": "Decline this topic",
        "button": "Decline topic",
        "warning": True,
        "done": "Topic declined.",
        "call": lambda t, u, d: services.topic_decline(
            topic=t, by=u, reason=d["reason"], expected_state=d["expected_state"] or None
        ),
    },
    "withdraw": {
        "form": ReasonForm,
        "heading": "Withdraw this topic",
        "button": "Withdraw topic",
        "warning": True,
        "done": "Topic withdrawn.",
        "call": lambda t, u, d: services.topic_withdraw(
            topic=t, by=u, reason=d["reason"], expected_state=d["expected_state"] or None
        ),
    },
    "reopen": {
        "form": NoteForm,
        "heading": "Reopen this topic",
        "button": "Reopen topic",
        "done": "Topic reopened.",
        "call": lambda t, u, d: services.topic_reopen(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "request_information": {
        "form": NoteForm,
        "heading": "Resolve to request information",
        "button": "Record the decision",
        "done": "Decision recorded: draft the requests next.",
        "call": lambda t, u, d: services.topic_request_information(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "issue_requests": {
        "form": NoteForm,
        "heading": "Issue the information requests",
        "button": "Issue requests",
        "done": "Requests issued: each health body's clock has started.",
        "call": lambda t, u, d: services.topic_issue_requests(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "make_recommendations": {
        "form": NoteForm,
        "heading": "Issue the recommendations",
        "button": "Issue recommendations",
        "done": "Recommendations issued: each health body's clock has started.",
        "call": lambda t, u, d: services.topic_make_recommendations(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "request_more": {
        "form": NoteForm,
        "heading": "Request more information",
        "button": "Record the decision",
        "done": "Decision recorded: draft the further requests next.",
        "call": lambda t, u, d: services.topic_request_more(
            topic=t, by=u, note=d["note"], expected_state=d["expected_state"] or None
        ),
    },
    "conclude": {
        "form": ConcludeForm,
        "heading": "Conclude this topic",
        "button": "Conclude topic",
        "done": "Topic concluded.",
        "call": lambda t, u, d: services.topic_conclude(
            topic=t,
            by=u,
            outcome_summary=d["outcome_summary"],
            close_without_response_reason=d["close_without_response_reason"],
            expected_state=d["expected_state"] or None,
        ),
    },
}
TRANSITION_LABELS = {name: spec["button"] for name, spec in TRANSITIONS.items()}


def _framework_for(topic):
    if topic.partnership_id:
        return topic.partnership.framework
    return PrioritisationFramework.objects.get(slug="topic")


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
    kwargs = {}
    if name == "prioritise":
        kwargs["framework"] = framework = _framework_for(topic)
    form = spec["form"](request.POST or None, initial={"expected_state": topic.state}, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if name == "prioritise":
                services.topic_prioritise(
                    topic=topic,
                    by=user,
                    scores=form.scores(),
                    note=data["note"],
                    expected_state=data["expected_state"] or None,
                )
            else:
                spec["call"](topic, user, data)
        except Conflict as exc:
            return _conflict(request, exc, topic)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, spec["done"])
            return redirect(topic)
    elif request.method == "GET" and name not in available_transitions(topic, user):
        # The page was reached from a stale link: say what the case is now.
        message = f"'{spec['heading']}' is not possible now: the topic is "
        message += f"'{topic.get_state_display()}'."
        if topic.state in TopicState.values:
            return _conflict(request, Conflict(message, current_state=topic.state), topic)
    context = {
        "topic": topic,
        "form": form,
        "spec": spec,
        "name": name,
        "state_tag": presenters.state_tag(topic.state),
    }
    if name == "prioritise":
        context.update(framework=framework)
    if name in ("issue_requests", "make_recommendations"):
        drafts = (topic.requests if name == "issue_requests" else topic.recommendations).drafts()
        context["drafts"] = drafts.select_related("recipient")
    return _render_form(
        request, "scrutiny/topic_action.html", context, invalid=request.method == "POST"
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.topic_record_position(
                topic=topic,
                by=user,
                organisation=data["organisation"],
                position=data["position"],
                recommendation=data["recommendation"],
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{data['organisation']}'s position recorded.")
            return redirect(topic)
    return _render_form(
        request,
        "scrutiny/position_form.html",
        {"topic": topic, "form": form},
        invalid=request.method == "POST",
    )
