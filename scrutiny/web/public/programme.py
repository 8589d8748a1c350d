"""The public work programmes (the topics each partnership means to scrutinise in the municipal
year, by target meeting, and the time it keeps for issues that arise), their Atom feeds, and
"who is who": each committee's and network's members this year, its published meetings and its
programme. Only published topics are named; private contact details never appear.

These pages are not cached (`public_cached`): they show seats and programmes, which change
without a public cache version of their own, and they cost a constant handful of queries."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator
from django.views.decorators.http import require_GET

from protocols import selectors as joint
from protocols.models import WorkProgramme
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.web import programmes
from scrutiny.web.public.feeds import _site


@require_GET
def programme_index(request):
    year = programmes.current_year()
    partnerships = list(Partnership.objects.order_by("name"))
    found = {
        wp.partnership_id: wp
        for wp in WorkProgramme.objects.filter(year=year, partnership__in=partnerships)
    }
    rows = [(p, found.get(p.pk)) for p in partnerships]
    return render(
        request,
        "public/programmes.html",
        {"rows": rows, "year_label": programmes.year_label(year)},
    )


@require_GET
def programme(request, slug):
    partnership = get_object_or_404(Partnership, slug=slug)
    year = programmes.year_from(request.GET.get("year"))
    data = programmes.public_programme(partnership, year)
    years = [(y, programmes.year_label(y)) for y in joint.programme_years(partnership)]
    return render(request, "public/programme.html", {"data": data, "years": years})


def programme_atom(partnership: Partnership, year: int) -> str:
    label = programmes.year_label(year)
    page = reverse("public:programme", args=[partnership.slug])
    feed = feedgenerator.Atom1Feed(
        title=f"Critical Friend: {partnership.name} work programme {label}",
        link=_site(f"{page}?year={year}"),
        description=f"Topics {partnership.name} will scrutinise in {label}, by target meeting.",
        language="en-gb",
        feed_url=_site(reverse("public:programme-feed", args=[partnership.slug])),
    )
    for entry in programmes.public_programme_entries(partnership, year):
        topic, meeting = entry.topic, entry.meeting
        if meeting is not None and meeting.agenda_published_at:
            where = f"aimed at {meeting.title}, {meeting.date:%-d %B %Y}"
        else:
            where = "meeting to be announced"
        url = _site(reverse("public:outcome", args=[topic.pk]))
        feed.add_item(
            title=f"{topic.title} ({where})",
            link=url,
            description=f"{topic.summary}\n\nLead: {topic.lead_body.name}. {entry.public_state}.",
            unique_id=f"{url}#programme-{year}",
            pubdate=entry.added_at,
            updateddate=entry.added_at,
            author_name=partnership.name,
        )
    return feed.writeString("utf-8")


@require_GET
def programme_feed(request, slug):
    partnership = get_object_or_404(Partnership, slug=slug)
    year = programmes.year_from(request.GET.get("year"))
    return HttpResponse(
        programme_atom(partnership, year), content_type="application/atom+xml; charset=utf-8"
    )


# --- Who is who ------------------------------------------------------------------------------


@require_GET
def who_is_who_index(request):
    bodies = list(programmes.who_is_who_bodies())
    year = programmes.current_year()
    counts = programmes.seats_counted(bodies, year)
    return render(
        request,
        "public/who_is_who_index.html",
        {
            "rows": [(b, counts.get(b.pk, 0)) for b in bodies],
            "year_label": programmes.year_label(year),
        },
    )


@require_GET
def who_is_who(request, slug):
    body = get_object_or_404(
        Organisation.objects.filter(kind__in=programmes.WHO_IS_WHO_KINDS), slug=slug
    )
    return render(request, "public/who_is_who.html", {"who": programmes.who_is_who(body)})
