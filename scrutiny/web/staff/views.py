"""Officers' and members' pages of the casework.

Views are thin: they find the object through a `*_visible_to` selector (404 when the user may
not see it), ask `casework.permissions` whether the user may act (403 when they may see but not
act), validate a form and call a service. A DomainError goes back onto the form; a Conflict
(the case moved since the page was drawn) renders a 409 page with the current state.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import drafting as casework
from scrutiny.casework import publication, selectors, services
from scrutiny.casework.models import (
    Organisation,
    PrioritisationFramework,
    RecommendationState,
    ReferralState,
    RequestState,
    ResponseAttachment,
    Topic,
    TopicState,
)
from scrutiny.casework.permissions import (
    STAFF_ROLES,
    Perm,
    bodies_with,
    can,
    is_staff_member,
    recommendations_visible_to,
    referrals_visible_to,
    requests_visible_to,
    topic_party_ids,
    topics_visible_to,
)
from scrutiny.web import meetings, presenters
from scrutiny.web.staff.forms import (
    ConcludeForm,
    DashboardFilterForm,
    NoteForm,
    PositionForm,
    PrioritiseForm,
    ReasonForm,
    RecommendationDraftForm,
    ReferralAcknowledgeForm,
    ReferralUpdateForm,
    RequestDraftForm,
    ResponseRecordForm,
    TopicFilterForm,
    TopicRaiseForm,
    add_domain_error,
)
from workflows.clocks import calendar_for
from workflows.errors import Conflict, DomainError, Forbidden
from workflows.services import available_transitions, transition_allowed_for

PAGE_SIZE = 25


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# --- helpers ---------------------------------------------------------------------------------


def staff_required(view):
    """Signed in (else the login page) and an officer, member or chair somewhere (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied("This page is for support officers and committee members.")
        return view(request, *args, **kwargs)

    return wrapped


def _case_topic(request, pk) -> Topic:
    """A topic whose case file the user may see (404 otherwise, whether or not it exists)."""
    topic = get_object_or_404(topics_visible_to(request.user).select_related("lead_body"), pk=pk)
    if not can(request.user, Perm.TOPIC_CASE_FILE, topic):
        raise Http404("No such topic.")
    return topic


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _conflict(request, exc: Conflict, topic: Topic):
    topic.refresh_from_db()
    return render(
        request,
        "scrutiny/conflict.html",
        {
            "topic": topic,
            "message": exc.message,
            "state_tag": presenters.state_tag(topic.state),
            "state_meaning": presenters.state_meaning(topic.state),
        },
        status=409,
    )


def _render_form(request, template, context, *, invalid=False):
    return render(request, template, context, status=400 if invalid else 200)


# --- dashboard -------------------------------------------------------------------------------


@staff_required
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    cal = calendar_for()
    soon_until = cal.add_working_days(today, selectors.SOON_WORKING_DAYS)
    bodies, partnerships, health_bodies = selectors.filter_choices(user)
    form = DashboardFilterForm(
        request.GET or None,
        bodies=bodies,
        partnerships=partnerships,
        health_bodies=health_bodies,
        categories=list(selectors.CATEGORY_LABELS.items()),
    )
    filters, show, sort = selectors.DashboardFilters(), "", "due"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.DashboardFilters(
            body=data["body"].pk if data["body"] else None,
            partnership=data["partnership"].pk if data["partnership"] else None,
            state=data["state"],
            health_body=data["health_body"].pk if data["health_body"] else None,
        )
        show, sort = data["show"], data["sort"] or "due"
    items = selectors.dashboard_items(user, today=today, soon_until=soon_until, filters=filters)
    counts = {key: 0 for key in selectors.CATEGORY_LABELS}
    for item in items:
        counts[item.category] += 1
    if show:
        items = [i for i in items if i.category == show]
    page = _page(request, selectors.sort_items(items, sort))
    # Each count links to its group, keeping the other filters and the sort.
    params = request.GET.copy()
    params.pop("page", None)
    links = {}
    for key in counts:
        params["show"] = key
        links[key] = params.urlencode()
    return render(
        request,
        "scrutiny/dashboard.html",
        {
            "form": form,
            "counts": [(k, selectors.CATEGORY_LABELS[k], counts[k], links[k]) for k in counts],
            "page_obj": page,
            "query_string": _query_string(request),
            "today": today,
            "cf_calendar": cal,
            "show": show,
            "total": len(items),
        },
    )


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
            "can_raise": is_staff_member(user),
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
            parties=Organisation.objects.filter(pk__in=topic_party_ids(topic)),
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
    body_ids = bodies_with(user, STAFF_ROLES)
    bodies = list(Organisation.objects.filter(pk__in=body_ids))
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
        drafts = (topic.requests if name == "issue_requests" else topic.recommendations).filter(
            state="draft"
        )
        context["drafts"] = drafts.select_related("recipient")
    return _render_form(
        request, "scrutiny/topic_action.html", context, invalid=request.method == "POST"
    )


def _draft_view(request, pk, *, form_class, kind):
    user = request.user
    topic = _case_topic(request, pk)
    if not can(user, Perm.TOPIC_MANAGE, topic):
        raise PermissionDenied("Only the topic's support officers draft requests.")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "request":
                made = casework.information_requests_draft(
                    topic=topic, by=user, recipients=data["recipients"], question=data["question"]
                )
            else:
                made = casework.recommendations_draft(
                    topic=topic,
                    by=user,
                    recipients=data["recipients"],
                    text=data["text"],
                    rationale=data["rationale"],
                )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            noun = "request" if kind == "request" else "recommendation"
            messages.success(
                request, f"{len(made)} draft {noun}{'s' if len(made) != 1 else ''} saved."
            )
            return redirect(topic)
    return _render_form(
        request,
        "scrutiny/draft_form.html",
        {"topic": topic, "form": form, "kind": kind},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_draft(request, pk):
    return _draft_view(request, pk, form_class=RequestDraftForm, kind="request")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_draft(request, pk):
    return _draft_view(request, pk, form_class=RecommendationDraftForm, kind="recommendation")


def _response_view(request, subject, kind):
    user = request.user
    topic = subject.topic
    if not can(user, Perm.TOPIC_MANAGE, topic):
        raise PermissionDenied("Health bodies respond through their own page or the API.")
    open_states = (
        (RequestState.ISSUED, *services.REQUEST_OUTCOMES)
        if kind == "request"
        else (RecommendationState.ISSUED, RecommendationState.RESPONDED)
    )
    if subject.state not in open_states:
        return render(
            request,
            "scrutiny/conflict.html",
            {
                "topic": topic,
                "message": f"This {kind} is '{subject.get_state_display()}': there is no "
                "response to record.",
                "state_tag": presenters.state_tag(topic.state),
                "state_meaning": presenters.state_meaning(topic.state),
            },
            status=409,
        )
    form = ResponseRecordForm(request.POST or None, request.FILES or None, subject_kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.provider_response_record(
                subject=subject,
                by=user,
                channel=data["channel"],
                text=data["text"],
                outcome=data["outcome"],
                received_at=form.received_at(),
                refusal_ground=data.get("refusal_ground", ""),
                attachments=data["attachments"],
                action_plan=form.action_plan(),
                supersedes=subject.responses.filter(superseded_by__isnull=True).last(),
            )
        except Conflict as exc:
            return _conflict(request, exc, topic)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Response from {subject.recipient} recorded.")
            return redirect(subject.get_absolute_url())
    return _render_form(
        request,
        "scrutiny/response_form.html",
        {"topic": topic, "subject": subject, "kind": kind, "form": form},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_response(request, pk):
    subject = get_object_or_404(
        requests_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _response_view(request, subject, "request")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_response(request, pk):
    subject = get_object_or_404(
        recommendations_visible_to(request.user).select_related("topic", "recipient"), pk=pk
    )
    return _response_view(request, subject, "recommendation")


@login_required
@require_http_methods(["GET", "POST"])
def topic_position(request, pk):
    user = request.user
    topic = _case_topic(request, pk)
    if not topic.is_joint or not can(user, Perm.TOPIC_POSITION, topic):
        raise PermissionDenied("Positions are recorded by a partner body's staff on joint topics.")
    mine = bodies_with(user, STAFF_ROLES) & topic_party_ids(topic)
    bodies = Organisation.objects.filter(
        pk__in=topic_party_ids(topic) if user.is_superuser else mine
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


@login_required
@require_GET
def attachment_download(request, pk):
    """An attachment of a response, to whoever may see the request or recommendation."""
    from django.db.models import Q

    user = request.user
    attachment = get_object_or_404(
        ResponseAttachment.objects.filter(
            Q(response__information_request__in=requests_visible_to(user).values("pk"))
            | Q(response__recommendation__in=recommendations_visible_to(user).values("pk"))
        ),
        pk=pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- referrals -------------------------------------------------------------------------------


@staff_required
def referral_list(request):
    user = request.user
    state = request.GET.get("state", "")
    if state not in ReferralState.values:
        state = ""
    referrals = selectors.referral_list(user, state=state)
    page = _page(request, referrals)
    officer_bodies = bodies_with(user, {"support_officer"})
    return render(
        request,
        "scrutiny/referral_list.html",
        {
            "page_obj": page,
            "query_string": _query_string(request),
            "state": state,
            "states": ReferralState.choices,
            "officer_bodies": officer_bodies,
            "today": timezone.localdate(),
            "cf_calendar": calendar_for(),
        },
    )


def _referral_action(request, pk, *, form_class, expect_state, template_heading, call, done):
    user = request.user
    referral = get_object_or_404(
        referrals_visible_to(user).select_related("topic", "from_body", "to_body"), pk=pk
    )
    if not can(user, Perm.REFERRAL_ACKNOWLEDGE, referral):
        raise PermissionDenied("Only the scrutiny committee's officers act on a referral.")
    if referral.state != expect_state:
        return render(
            request,
            "scrutiny/conflict.html",
            {
                "topic": referral.topic,
                "message": f"This referral is '{referral.get_state_display()}'.",
                "state_tag": presenters.state_tag(referral.state, "referral"),
                "state_meaning": presenters.state_meaning(referral.state, "referral"),
            },
            status=409,
        )
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(referral, user, form.cleaned_data["text"])
        except Conflict as exc:
            return _conflict(request, exc, referral.topic)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(referral.topic.get_absolute_url() + "#referral")
    return _render_form(
        request,
        "scrutiny/referral_form.html",
        {"referral": referral, "form": form, "heading": template_heading},
        invalid=request.method == "POST",
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


# --- work programme and members --------------------------------------------------------------


@staff_required
def programme(request, slug):
    partnership = get_object_or_404(selectors.partnerships_visible_to(request.user), slug=slug)
    data = selectors.work_programme(request.user, partnership)
    targets = meetings.target_meetings([row.topic.pk for row in data.topics])
    for row in data.topics:
        row.target = targets.get(row.topic.pk)
    return render(request, "scrutiny/programme.html", {"programme": data})


@staff_required
def members(request):
    topics, drafts = selectors.member_overview(request.user)
    sections = [meetings.member_agendas(request.user)]
    return render(
        request,
        "scrutiny/members.html",
        {
            "page_obj": _page(request, topics),
            "query_string": _query_string(request),
            "drafts": drafts,
            "sections": [s for s in sections if s],
            "partnerships": selectors.partnerships_visible_to(request.user),
        },
    )
