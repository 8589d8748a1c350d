"""What residents see: published outcomes, health bodies' records, suggestions, feeds and data.

Every read goes through the public selectors in `casework.publication`. Pages for visitors are
cached under the publication version key (`public_cached`), so publishing or withdrawing shows at
once. Officers' publish/withdraw and moderation pages live here too (they are about the public
site), behind sign-in.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import publication, suggestions
from scrutiny.casework.health_body_record import health_body_record, record_chart_svg, records_for
from scrutiny.casework.models import Organisation, Partnership, TopicSuggestion
from scrutiny.casework.policy import can, topics_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.web import meetings
from scrutiny.web.client import client_address
from scrutiny.web.errors import form_view, page_subject
from scrutiny.web.presenters import public_state_label
from scrutiny.web.public import outcomes as outcome_presenters
from scrutiny.web.public.body_record import download_filters, record_dataset, record_page
from scrutiny.web.public.feeds import (
    ATTRIBUTION,
    DATASETS,
    LICENCE,
    datapackage,
    download_response,
    outcomes_atom,
)
from scrutiny.web.public.forms import CharacterCountField, LengthCheckedField
from scrutiny.web.structured_data import body_json_ld
from workflows.cache import (
    HEALTH_BODIES,
    MEETINGS,
    OUTCOMES,
    CacheScope,
    public_cache_seconds,
    public_cache_token,
)

PAGE_SIZE = 20


# --- Cache ----------------------------------------------------------------------------------


def public_cached(view=None, *, scope=None):
    """Cache a visitor's GET under the versions of what the page shows (workflows.cache):
    `scope(request, **kwargs)` names them (a CacheScope); every page also depends on the
    global version. Signed-in users, non-200 answers and responses that set a cookie (a CSRF
    token, a message) are never cached."""
    if view is None:
        return lambda v: public_cached(v, scope=scope)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        token = public_cache_token(scope(request, **kwargs) if scope else None)
        key = f"cf:public:page:{token}:{digest}"
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            cache.set(key, response, public_cache_seconds())
        return response

    return wrapped


def _lists(*names):
    scope = CacheScope.of(lists=names)
    return lambda request, **kwargs: scope


# --- Home -----------------------------------------------------------------------------------


@require_GET
@public_cached(scope=_lists(OUTCOMES, MEETINGS))
def home(request):
    published = publication.topics_published().select_related("lead_body")
    context = {
        "partnerships": Partnership.objects.select_related("involvement_network")
        .prefetch_related("scrutiny_committees")
        .order_by("name"),
        "ongoing": outcome_presenters.present_topics(
            published.filter(state__in=publication.ONGOING_STATES).order_by("-published_at", "-id")[
                :6
            ]
        ),
        "latest": outcome_presenters.present_topics(
            published.filter(state__in=publication.OUTCOME_STATES).order_by("-published_at", "-id")[
                :6
            ]
        ),
        "next_meetings": meetings.public_upcoming(),
    }
    return render(request, "public/home.html", context)


# --- Outcomes -------------------------------------------------------------------------------


class OutcomeFilterForm(forms.Form):
    q = forms.CharField(label="Search outcomes", required=False, max_length=200)
    state = forms.ChoiceField(label="State", required=False)
    health_body = forms.ChoiceField(label="Health body", required=False)
    year = forms.TypedChoiceField(label="Year raised", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any state")] + [
            (s.value, public_state_label(s)) for s in publication.PUBLISHABLE_STATES
        ]
        self.fields["health_body"].choices = [("", "Any health body")] + list(
            Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY)
            .order_by("name")
            .values_list("slug", "name")
        )
        self.fields["year"].choices = [("", "Any year")] + [(str(y), str(y)) for y in years]


def _health_body_id(slug: str) -> int | None:
    return (
        Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY, slug=slug)
        .values_list("pk", flat=True)
        .first()
    )


@require_GET
@public_cached(scope=_lists(OUTCOMES))
def outcomes(request):
    base = publication.topics_published()
    form = OutcomeFilterForm(request.GET or None, years=publication.years_published())
    qs = base
    searching = False
    if form.is_bound:
        form.is_valid()  # invalid filters are reported and ignored; valid ones still apply
        data = getattr(form, "cleaned_data", {})
        if data.get("state"):
            qs = qs.filter(state=data["state"])
        if data.get("health_body"):
            body_id = _health_body_id(data["health_body"])
            qs = qs.filter(pk__in=publication.topic_ids_concerning(body_id=body_id))
        if data.get("year"):
            qs = qs.filter(created_at__year=data["year"])
        if data.get("q"):
            searching = True
            qs = publication.topics_search(qs, data["q"])
    if not searching:
        qs = qs.order_by("-published_at", "-id")
    qs = qs.select_related("lead_body", "partnership", "body").prefetch_related("health_bodies")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = outcome_presenters.present_topics(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "public/outcomes.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": params.urlencode(),
            "filtered": any(params.get(k) for k in ("q", "state", "health_body", "year")),
        },
    )


@require_GET
@public_cached(scope=lambda request, pk: CacheScope.of(topics=[pk]))
def outcome(request, pk):
    topic = get_object_or_404(
        publication.topics_published()
        .select_related("lead_body", "partnership__involvement_network", "body")
        .prefetch_related("health_bodies", "partnership__scrutiny_committees"),
        pk=pk,
    )
    view = outcome_presenters.outcome_detail(
        topic,
        requests_page=request.GET.get("requests"),
        recommendations_page=request.GET.get("recommendations"),
    )
    return render(
        request,
        "public/outcome.html",
        {
            "topic": topic,
            "view": view,
            "related_meetings": list(meetings.public_for_topic(topic)),
            "requests_query": _query_without(request, "requests"),
            "recommendations_query": _query_without(request, "recommendations"),
        },
    )


def _query_without(request, name: str) -> str:
    """The request's query string without `name`, for a pager of that parameter."""
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()


@require_GET
def evidence(request, pk):
    """A document of implementation evidence that an officer published."""
    doc = get_object_or_404(publication.evidence_public(), pk=pk)
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type
    )


@require_GET
def document(request, pk):
    """An attachment of a health body's response that an officer published: the redacted copy
    when the officer redacted it. Only while published, on the current response of a public
    request or recommendation."""
    pub = get_object_or_404(publication.attachments_public().select_related("attachment"), pk=pk)
    try:
        handle = pub.open_public()
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=pub.public_name, content_type=pub.public_content_type
    )


@public_cached(scope=_lists(OUTCOMES))
def _outcomes_feed(request):
    return HttpResponse(outcomes_atom(), content_type="application/atom+xml; charset=utf-8")


@require_GET
def outcomes_feed(request):
    """The Atom feed, its ETag the outcomes list's cache version: checked before anything is
    built or read, so a 304 costs a cache lookup (no query but the database cache's own)."""
    etag = f'"{public_cache_token(CacheScope.of(lists=[OUTCOMES]))}"'
    response = get_conditional_response(request, etag=etag) or _outcomes_feed(request)
    if response.status_code in (200, 304):
        response["ETag"] = etag
    return response


# --- Enter and View reports ---------------------------------------------------------------------


@require_GET
@public_cached
def visit_reports(request):
    page = Paginator(publication.visits_published().order_by("-published_on", "-id"), 25)
    return render(
        request,
        "public/visits.html",
        {"page_obj": page.get_page(request.GET.get("page")), "today": timezone.localdate()},
    )


@require_GET
@public_cached
def visit_report(request, pk):
    visit = get_object_or_404(publication.visits_published(), pk=pk)
    return render(
        request,
        "public/visit.html",
        {
            "visit": visit,
            "view": outcome_presenters.visit_report(visit, today=timezone.localdate()),
            "recommendations": list(publication.visit_recommendations_public(visit)),
        },
    )


# --- Health bodies --------------------------------------------------------------------------


@require_GET
@public_cached(scope=_lists(HEALTH_BODIES))
def health_bodies(request):
    bodies = list(Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY).order_by("name"))
    records = records_for([b.pk for b in bodies])
    rows = [(b, records[b.pk]) for b in bodies]
    return render(request, "public/health_bodies.html", {"rows": rows})


@require_GET
@public_cached(scope=lambda request, slug: CacheScope.of(bodies=[slug]))
def health_body(request, slug):
    body = get_object_or_404(Organisation, slug=slug, kind=Organisation.Kind.HEALTH_BODY)
    record = health_body_record(body)
    topics = (
        publication.topics_published()
        .filter(pk__in=publication.topic_ids_concerning(body_id=body.pk))
        .order_by("-published_at", "-id")
    )
    page = Paginator(topics, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = outcome_presenters.present_topics(page.object_list)
    rows = record_page(request, body)
    return render(
        request,
        "public/health_body.html",
        {
            "body": body,
            "record": record,
            "chart": record_chart_svg(record),
            "page_obj": page,
            "topics": page.object_list,
            "topics_query": _query_without(request, "page"),
            "rows": rows,
            "json_ld": body_json_ld(body),
        },
    )


@require_GET
@public_cached(scope=lambda request, slug, fmt: CacheScope.of(bodies=[slug]))
def health_body_record_download(request, slug, fmt):
    """The body's record as CSV or JSON, with the page's filters (`?state=&year=&late=`)."""
    body = get_object_or_404(Organisation, slug=slug, kind=Organisation.Kind.HEALTH_BODY)
    dataset = record_dataset(body, download_filters(request.GET))
    return download_response(dataset, fmt)


# --- Data and feeds -------------------------------------------------------------------------


@require_GET
@public_cached
def data_index(request):
    return render(
        request,
        "public/data.html",
        {"datasets": list(DATASETS.values()), "licence": LICENCE, "attribution": ATTRIBUTION},
    )


@require_GET
@public_cached(scope=_lists(OUTCOMES))
def data_download(request, slug, fmt):
    dataset = DATASETS.get(slug)
    if dataset is None:
        raise Http404("No such dataset.")
    return download_response(dataset, fmt)


@require_GET
@public_cached(scope=_lists(OUTCOMES))
def data_package(request):
    """datapackage.json: the Frictionless description of every CSV (docs/open-data.md)."""
    response = JsonResponse(datapackage(), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = 'attachment; filename="datapackage.json"'
    response["Link"] = f'<{LICENCE["path"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Suggest a topic ------------------------------------------------------------------------


class SuggestionForm(forms.Form):
    title = LengthCheckedField(
        label="What should be looked at?",
        name="What should be looked at",
        max_length=suggestions.TITLE_MAX_LENGTH,
        help_text="For example, 'Waiting times for hearing tests in Northby'.",
        error_messages={"required": "Enter what you think should be looked at."},
    )
    description = CharacterCountField(
        label="Why should it be looked at?",
        name="Suggestion",
        max_length=suggestions.DESCRIPTION_MAX_LENGTH,
        help_text="Tell us what you have seen or heard. Do not include anyone's name or "
        "medical details: this text may be used in a public topic.",
        error_messages={"required": "Tell us why it should be looked at."},
    )
    partnership = forms.ModelChoiceField(
        label="Which area is it about?",
        queryset=Partnership.objects.order_by("name"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the area."},
    )
    health_body = forms.ModelChoiceField(
        label="Which health service is it about?",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY).order_by("name"),
        required=False,
        empty_label="Not sure, or more than one",
        to_field_name="slug",
    )
    name = LengthCheckedField(
        label="Your name",
        name="Your name",
        max_length=suggestions.NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your e-mail address",
        required=False,
        help_text="Only if you want us to tell you what happens. We never publish your name "
        "or e-mail address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.org."},
    )
    # The honeypot: hidden from people (and from assistive technology); bots fill it in.
    website = forms.CharField(
        label="Leave this blank",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = list(self.fields["partnership"].queryset)
        self.fields["partnership"].queryset = Partnership.objects.filter(
            pk__in=[a.pk for a in areas]
        ).order_by("name")
        if len(areas) == 1 and not self.is_bound:
            self.initial.setdefault("partnership", areas[0].pk)


@require_http_methods(["GET", "POST"])
def suggest(request):
    if request.method == "POST":
        if suggestions.suggestion_rate_limited(client_address(request)):
            return render(request, "public/suggest_limited.html", status=429)
        if request.POST.get("website"):
            # A bot filled the honeypot: answer as if it worked, keep nothing.
            return redirect("public:suggest-thanks")
    form = SuggestionForm(request.POST if request.method == "POST" else None)

    def submit(data):
        suggestions.suggestion_submit(
            title=data["title"],
            description=data["description"],
            partnership=data["partnership"],
            health_body=data["health_body"],
            name=data["name"],
            email=data["email"],
        )
        return redirect("public:suggest-thanks")

    return form_view(
        request,
        form,
        on_valid=submit,
        template="public/suggest.html",
        context={"retention_days": suggestions.retention_days()},
    )


@require_GET
@public_cached
def suggest_thanks(request):
    return render(request, "public/suggest_thanks.html")


# --- Moderation (officers) ------------------------------------------------------------------


@login_required
@require_GET
def suggestion_queue(request):
    if not can(request.user, Perm.SUGGESTION_MODERATE):
        raise Http404
    qs = (
        TopicSuggestion.objects.visible_to(request.user)
        .select_related("partnership", "health_body", "contact", "topic")
        .order_by("-submitted_at", "-id")
    )
    pending = [s for s in qs if s.status == "pending"]
    done = [s for s in qs if s.status != "pending"][:50]
    return render(
        request,
        "public/suggestions.html",
        {"pending": pending, "done": done, "retention_days": suggestions.retention_days()},
    )


class AcceptForm(forms.Form):
    title = forms.CharField(label="Topic title", max_length=200)
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Edit out any personal details before accepting: this text may be published.",
    )
    lead_body = forms.ModelChoiceField(label="Lead body", queryset=Organisation.objects.none())

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_body"].queryset = Organisation.objects.filter(
            pk__in=partnership.party_ids()
        ).order_by("name")
        self.fields["lead_body"].initial = partnership.involvement_network_id


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for rejecting."},
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_moderate(request, pk):
    suggestion = get_object_or_404(
        TopicSuggestion.objects.visible_to(request.user).select_related(
            "partnership", "health_body", "contact"
        ),
        pk=pk,
    )
    page_subject(request, suggestion)
    action = request.POST.get("action") if request.method == "POST" else None
    accept = AcceptForm(
        request.POST if action == "accept" else None,
        partnership=suggestion.partnership,
        initial={"title": suggestion.title, "summary": suggestion.description},
        prefix="accept",
    )
    reject = RejectForm(request.POST if action == "reject" else None, prefix="reject")

    def accepted(data):
        topic = suggestions.suggestion_accept(
            suggestion=suggestion,
            by=request.user,
            title=data["title"],
            summary=data["summary"],
            lead_body=data["lead_body"],
        )
        messages.success(request, f"Accepted: topic '{topic.title}' raised.")
        return redirect("public:suggestions")

    def rejected(data):
        suggestions.suggestion_reject(suggestion=suggestion, by=request.user, reason=data["reason"])
        messages.success(request, "Suggestion rejected.")
        return redirect("public:suggestions")

    context = {"suggestion": suggestion, "accept": accept, "reject": reject}
    if action == "accept":
        form, on_valid = accept, accepted
    elif action == "reject":
        form, on_valid = reject, rejected
    else:  # a GET, or a POST that chose neither
        status = 400 if request.method == "POST" else 200
        return render(request, "public/suggestion_moderate.html", context, status=status)
    return form_view(
        request,
        form,
        on_valid=on_valid,
        template="public/suggestion_moderate.html",
        context=context,
    )


# --- Publish / withdraw publication (officers) ----------------------------------------------


class PublishForm(forms.Form):
    note = forms.CharField(
        label="Note for the record",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the topic's history; not shown to residents.",
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label="Why is publication being withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the topic's history; not shown to residents.",
        error_messages={"required": "Enter the reason for withdrawing publication."},
    )


def _publication_page(request, pk, *, publish: bool):
    topic = get_object_or_404(topics_visible_to(request.user).select_related("lead_body"), pk=pk)
    page_subject(request, topic)
    form_class = PublishForm if publish else UnpublishForm
    form = form_class(request.POST if request.method == "POST" else None)

    def apply(data):
        if publish:
            publication.topic_publish(topic=topic, by=request.user, note=data["note"])
            messages.success(request, "Published: residents can now see this topic.")
        else:
            publication.topic_unpublish(topic=topic, by=request.user, reason=data["reason"])
            messages.success(request, "Publication withdrawn.")
        return redirect(topic.get_absolute_url())

    return form_view(
        request,
        form,
        on_valid=apply,
        template="public/publish.html",
        context={
            "topic": topic,
            "publish": publish,
            "publishable": topic.state in publication.PUBLISHABLE_STATES,
            "public_url": reverse("public:outcome", args=[topic.pk]),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    return _publication_page(request, pk, publish=True)


@login_required
@require_http_methods(["GET", "POST"])
def unpublish(request, pk):
    return _publication_page(request, pk, publish=False)


# --- Service-change consultations -----------------------------------------------------------


@require_GET
@public_cached
def service_changes(request):
    consultations = (
        publication.consultations_public()
        .select_related("body", "committee")
        .order_by("-received_on", "-id")
    )
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = outcome_presenters.present_consultations(page.object_list)
    return render(request, "public/service_changes.html", {"page_obj": page, "rows": rows})


@require_GET
@public_cached
def service_change(request, pk):
    consultation = get_object_or_404(
        publication.consultations_public().select_related("body", "committee"), pk=pk
    )
    view = outcome_presenters.consultation_public_detail(consultation)
    return render(request, "public/service_change.html", {"c": consultation, "view": view})
