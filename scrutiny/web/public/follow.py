"""Following: the subscribe form, confirmation and unsubscribe pages, and the feeds per thing.

The subscribe form sits on public pages that are cached for visitors, so it carries no CSRF
token and its view is exempt: double opt-in is its protection (nothing is sent but the
confirmation until the owner of the address follows its link), with a honeypot and a limit per
address and per client. The unsubscribe URL is exempt too, because a mail client's one-click
POST (RFC 8058) has no token: the signed link is the credential. Confirmation asks for a button
press, so a mail scanner that fetches links never confirms. docs/decisions/0030-following.md.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.cache import get_conditional_response
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import following, publication
from scrutiny.casework.models import (
    FollowFrequency,
    FollowTarget,
    Organisation,
    Partnership,
    Topic,
)
from scrutiny.web.client import client_address
from scrutiny.web.errors import form_view
from scrutiny.web.public import outcomes as outcome_presenters
from scrutiny.web.public.feeds import topics_atom
from scrutiny.web.public.views import public_cached
from workflows.audit import PUBLIC_EVENTS, event_label, event_public_note
from workflows.cache import OUTCOMES, CacheScope, public_cache_token
from workflows.models import AuditEvent
from workflows.notifications import absolute_url

# --- The form ---------------------------------------------------------------------------------


class FollowForm(forms.Form):
    target = forms.ChoiceField(choices=FollowTarget.choices, widget=forms.HiddenInput)
    ref = forms.CharField(
        required=False, max_length=following.SEARCH_MAX_LENGTH, widget=forms.HiddenInput
    )
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="We send a link to confirm it first. We never publish it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your e-mail address.",
            "invalid": "Enter an e-mail address like name@example.org.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often?",
        choices=FollowFrequency.choices,
        initial=FollowFrequency.IMMEDIATE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often you want e-mails."},
    )
    # The honeypot, as on the suggestion form.
    website = forms.CharField(
        label="Leave this blank",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def follow_box(target: str, ref, *, title: str) -> dict:
    """The context of `public/_follow.html`, the subscribe form a public page includes."""
    return {"target": target, "ref": str(ref), "title": title}


# --- Subscribe, confirm, unsubscribe ----------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """GET ?target=&ref=: the form on its own page. POST: subscribe (then "check your e-mail")."""
    data = request.POST if request.method == "POST" else None
    initial = {"target": request.GET.get("target", ""), "ref": request.GET.get("ref", "")}
    form = FollowForm(data, initial=initial)
    source = data or request.GET
    thing = following.followed(source.get("target", ""), source.get("ref", ""))
    if request.method == "POST":
        email = request.POST.get("email", "")
        if following.follow_rate_limited(email=email, client=client_address(request)):
            return render(request, "public/follow_limited.html", status=429)
        if request.POST.get("website"):
            return redirect("public:follow-check")  # a bot: answer as if it worked, keep nothing

    def submit(cleaned):
        following.follow_subscribe(
            email=cleaned["email"],
            target=cleaned["target"],
            ref=cleaned["ref"],
            frequency=cleaned["frequency"],
        )
        return redirect("public:follow-check")

    return form_view(
        request,
        form,
        on_valid=submit,
        template="public/follow.html",
        context={"thing": thing, "days": following.confirm_days()},
    )


@require_GET
@public_cached
def check_email(request):
    return render(request, "public/follow_check.html", {"days": following.confirm_days()})


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET: what the link confirms, with a button. POST: confirm it."""
    if request.method == "POST":
        sub = following.follow_confirm(token=token)
        thing, page = following.subscription_followed(sub)
        return render(
            request,
            "public/follow_confirmed.html",
            {
                "thing": thing,
                "page": page,
                "sub": sub,
                "unsubscribe": following.unsubscribe_token(sub),
            },
        )
    following.follow_confirm_check(token)
    return render(request, "public/follow_confirm.html", {"token": token})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: what the link stops, with a button. POST (the button, or a mail client's one-click
    `List-Unsubscribe=One-Click`): stop it."""
    if request.method == "POST":
        removed = following.follow_unsubscribe(token=token)
        return render(request, "public/follow_unsubscribed.html", {"removed": removed})
    subs = following.follow_unsubscription(token)
    things = [following.subscription_followed(s)[0] for s in subs]
    return render(request, "public/follow_unsubscribe.html", {"token": token, "things": things})


# --- Pages to follow a committee or network, or an area ------------------------------------


def _follow_page(request, *, title, kind, target, ref, topics, calendar, feed):
    page = outcome_presenters.present_topics(
        topics.select_related("lead_body").order_by("-published_at", "-id")[:20]
    )
    return render(
        request,
        "public/follow_thing.html",
        {
            "title": title,
            "kind": kind,
            "topics": page,
            "calendar": calendar,
            "feed": feed,
            "follow": follow_box(target, ref, title=title),
        },
    )


def _body_topics(body):
    areas = Partnership.objects.filter(
        pk__in=list(body.network_partnerships.values_list("pk", flat=True))
        + list(body.committee_partnerships.values_list("pk", flat=True))
    )
    return publication.topics_published().filter(
        Q(lead_body=body) | Q(body=body) | Q(partnership__in=areas)
    )


def _area_topics(area):
    return publication.topics_published().filter(
        Q(partnership=area) | Q(body_id__in=area.party_ids())
    )


@require_GET
@public_cached(scope=lambda request, slug: CacheScope.of(lists=[OUTCOMES]))
def follow_body(request, slug):
    body = get_object_or_404(
        Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY), slug=slug
    )
    return _follow_page(
        request,
        title=body.name,
        kind=body.get_kind_display(),
        target=FollowTarget.BODY,
        ref=body.slug,
        topics=_body_topics(body),
        calendar=reverse("protocols:calendar-body", args=[body.slug]),
        feed=reverse("public:follow-body-feed", args=[body.slug]),
    )


@require_GET
@public_cached(scope=lambda request, slug: CacheScope.of(lists=[OUTCOMES]))
def follow_area(request, slug):
    area = get_object_or_404(Partnership.objects.prefetch_related("scrutiny_committees"), slug=slug)
    return _follow_page(
        request,
        title=area.name,
        kind="Area",
        target=FollowTarget.AREA,
        ref=area.slug,
        topics=_area_topics(area),
        calendar=reverse("protocols:calendar-partnership", args=[area.slug]),
        feed=reverse("public:follow-area-feed", args=[area.slug]),
    )


# --- Atom feeds -------------------------------------------------------------------------------


def _atom(request, scope: CacheScope, build):
    """An Atom response whose ETag is the cache version of what it shows and its own address:
    a 304 costs one cache lookup, before anything is read or built (ADR 0021)."""
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]
    etag = f'"{public_cache_token(scope)}-{digest}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(build(), content_type="application/atom+xml; charset=utf-8")
    response["ETag"] = etag
    return response


@require_GET
def topic_feed(request, pk):
    """One topic's public history, an entry per public event."""
    topic = get_object_or_404(publication.topics_published(), pk=pk)

    def build():
        link = reverse("public:outcome", args=[topic.pk])
        feed = feedgenerator.Atom1Feed(
            title=f"Critical Friend: {topic.title}",
            link=absolute_url(link),
            description="What happened to this topic, as residents see it.",
            language="en-gb",
            feed_url=absolute_url(reverse("public:outcome-feed", args=[topic.pk])),
        )
        events = AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Topic),
            object_id=topic.pk,
            event_type__in=list(PUBLIC_EVENTS),
        ).order_by("-at", "-pk")[:50]
        for event in events:
            label = event_label(event, public=True)
            feed.add_item(
                title=f"{label}: {topic.title}",
                link=absolute_url(link),
                description=event_public_note(event) or label,
                unique_id=f"{absolute_url(link)}#event-{event.pk}",
                pubdate=event.at,
                updateddate=event.at,
            )
        return feed.writeString("utf-8")

    return _atom(request, CacheScope.of(topics=[topic.pk]), build)


@require_GET
def health_body_feed(request, slug):
    body = get_object_or_404(Organisation, slug=slug, kind=Organisation.Kind.HEALTH_BODY)
    qs = publication.topics_published().filter(
        pk__in=publication.topic_ids_concerning(body_id=body.pk)
    )
    return _atom(
        request,
        CacheScope.of(bodies=[slug], lists=[OUTCOMES]),
        lambda: topics_atom(
            qs,
            title=f"Critical Friend: {body.name}",
            link=reverse("public:health-body", args=[slug]),
            description=f"Published scrutiny topics about {body.name}.",
            feed_url=reverse("public:health-body-feed", args=[slug]),
        ),
    )


@require_GET
def body_feed(request, slug):
    body = get_object_or_404(
        Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY), slug=slug
    )
    return _atom(
        request,
        CacheScope.of(lists=[OUTCOMES]),
        lambda: topics_atom(
            _body_topics(body),
            title=f"Critical Friend: {body.name}",
            link=reverse("public:follow-body", args=[slug]),
            description=f"Published scrutiny topics of {body.name}.",
            feed_url=reverse("public:follow-body-feed", args=[slug]),
        ),
    )


@require_GET
def area_feed(request, slug):
    area = get_object_or_404(Partnership, slug=slug)
    return _atom(
        request,
        CacheScope.of(lists=[OUTCOMES]),
        lambda: topics_atom(
            _area_topics(area),
            title=f"Critical Friend: {area.name}",
            link=reverse("public:follow-area", args=[slug]),
            description=f"Published scrutiny topics in {area.name}.",
            feed_url=reverse("public:follow-area-feed", args=[slug]),
        ),
    )


@require_GET
def search_feed(request):
    """The feed of a search of /outcomes/: the same query string."""
    search = following.search_normalise(request.GET)
    suffix = f"?{search}" if search else ""
    return _atom(
        request,
        CacheScope.of(lists=[OUTCOMES]),
        lambda: topics_atom(
            following.search_topics(search),
            title=f"Critical Friend: {following.search_words(search)}",
            link=reverse("public:outcomes") + suffix,
            description=f"Critical Friend: {following.search_words(search)}.",
            feed_url=reverse("public:search-feed") + suffix,
        ),
    )
