"""The public decisions pages: statements of the involvement networks' relevant decisions and
their reasons (SI 2008/528 reg 2(1)(d)), a list, a page each and an Atom feed."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator
from django.views.decorators.http import require_GET

from scrutiny.casework import publication
from scrutiny.casework.models import DecisionKind, Organisation
from scrutiny.web.public.feeds import _site
from scrutiny.web.public.views import PAGE_SIZE, _lists, public_cached
from workflows.cache import DECISIONS


class DecisionFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of decision", required=False)
    network = forms.ChoiceField(label="Network", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *DecisionKind.choices]
        self.fields["network"].choices = [("", "Any network")] + list(
            Organisation.objects.filter(kind=Organisation.Kind.INVOLVEMENT_NETWORK)
            .order_by("name")
            .values_list("slug", "name")
        )


@require_GET
@public_cached(scope=_lists(DECISIONS))
def decisions(request):
    form = DecisionFilterForm(request.GET or None)
    qs = publication.decisions_published().select_related("body", "topic")
    if form.is_bound:
        form.is_valid()  # an unknown choice is reported and ignored
        data = getattr(form, "cleaned_data", {})
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("network"):
            qs = qs.filter(body__slug=data["network"])
    page = Paginator(qs.order_by("-published_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "public/decisions.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": params.urlencode(),
            "filtered": any(params.get(k) for k in ("kind", "network")),
        },
    )


@require_GET
@public_cached(scope=_lists(DECISIONS))
def decision(request, pk):
    found = get_object_or_404(
        publication.decisions_published().select_related("body", "topic"), pk=pk
    )
    return render(request, "public/decision.html", {"decision": found})


def decisions_atom(*, limit: int = 50) -> str:
    feed = feedgenerator.Atom1Feed(
        title="Critical Friend: decisions of the involvement networks",
        link=_site(reverse("public:decisions")),
        description="Statements of relevant decisions and their reasons.",
        language="en-gb",
        feed_url=_site(reverse("public:decisions-feed")),
    )
    qs = publication.decisions_published().select_related("body")
    for d in qs.order_by("-published_at", "-id")[:limit]:
        url = _site(reverse("public:decision", args=[d.pk]))
        feed.add_item(
            title=f"{d.body.name}: {d.get_kind_display()}",
            link=url,
            description=f"{d.statement}\n\nReasons: {d.reasons}",
            unique_id=url,
            pubdate=d.published_at,
            updateddate=d.published_at,
            categories=[d.get_kind_display()],
            author_name=d.body.name,
        )
    return feed.writeString("utf-8")


@require_GET
@public_cached(scope=_lists(DECISIONS))
def decisions_feed(request):
    return HttpResponse(decisions_atom(), content_type="application/atom+xml; charset=utf-8")
