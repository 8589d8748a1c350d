"""iCalendar feeds (public, per body, per partnership, personal) and the calendars page."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_http_methods,
    require_safe,
)

from protocols import feeds, selectors, services
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.policy import body_ids
from scrutiny.casework.roles import Perm
from scrutiny.web.joint import presenters

# --- Calendars ------------------------------------------------------------------------------


@require_safe
def calendar_public(request):
    return feeds.meetings_feed_response(
        request,
        name="Critical Friend: public meetings",
        meetings=selectors.meetings_published(),
        filename="meetings.ics",
    )


@require_safe
def calendar_body(request, slug):
    body = get_object_or_404(
        Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY), slug=slug
    )
    return feeds.meetings_feed_response(
        request,
        name=f"{body}: meetings",
        meetings=selectors.meetings_published().involving([body.pk]),
        filename=f"{body.slug}.ics",
    )


@require_safe
def calendar_partnership(request, slug):
    partnership = get_object_or_404(Partnership, slug=slug)
    return feeds.meetings_feed_response(
        request,
        name=f"{partnership}: meetings",
        meetings=selectors.meetings_published().filter(
            Q(partnership=partnership) | Q(body__in=partnership.party_ids())
        ),
        filename=f"{partnership.slug}.ics",
    )


@require_safe
def calendar_personal(request, token):
    user = services.calendar_token_user(token)
    if user is None:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    bodies = body_ids(user, Perm.STAFF_PAGES)
    meetings = feeds.feed_meetings(selectors.meetings_for_member(user))
    deadlines = feeds.personal_deadlines(user, bodies, today)
    feed = feeds.build_feed(f"Critical Friend: {user.get_username()}", meetings, deadlines)
    response = feeds.feed_response(request, feed, "personal.ics", private=True)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def calendars_page(request):
    """Subscribe links for every feed; for a signed-in user, their personal feed's token.

    A new token is shown once: it is handed from the POST to the next GET through the session
    (post/redirect/get, so reloading the page never makes another one) and then forgotten.
    """
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        action = request.POST.get("action")
        if action in ("create", "rotate"):
            _, raw = services.calendar_token_create(user=request.user)
            request.session["cf_new_calendar_token"] = raw
            messages.success(
                request,
                "Your new personal calendar address is below. Copy it now: it is shown once."
                + (" The old address no longer works." if action == "rotate" else ""),
            )
        elif action == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, "Your personal calendar address no longer works.")
        else:
            return render(request, "400.html", status=400)
        return redirect(reverse("protocols:calendars") + "#personal")
    new_url = None
    raw = (
        request.session.pop("cf_new_calendar_token", None)
        if request.user.is_authenticated
        else None
    )
    if raw:
        new_url = reverse("protocols:calendar-personal", args=[raw])
    token = None
    if request.user.is_authenticated:
        token = request.user.calendar_tokens.filter(revoked_at__isnull=True).first()
    bodies = Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY).order_by("name")
    partnerships = Partnership.objects.order_by("name")
    public = reverse("protocols:calendar-public")
    return render(
        request,
        "protocols/calendars.html",
        {
            "public": {"url": public, "webcal": feeds.webcal(public)},
            "bodies": [
                presenters.feed_link(b, reverse("protocols:calendar-body", args=[b.slug]))
                for b in bodies
            ],
            "partnerships": [
                presenters.feed_link(p, reverse("protocols:calendar-partnership", args=[p.slug]))
                for p in partnerships
            ],
            "token": token,
            "new_url": new_url,
            "new_webcal": feeds.webcal(new_url) if new_url else None,
            "new_absolute": feeds.absolute(new_url) if new_url else None,
        },
    )
