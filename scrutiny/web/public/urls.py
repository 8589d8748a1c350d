"""The public site (namespace "public"), plus the officers' publish and moderation pages."""

from django.urls import path
from django.views.generic import TemplateView

from scrutiny.web import search
from scrutiny.web.public import decisions
from scrutiny.web.public import views as v

app_name = "public"

urlpatterns = [
    path("", v.home, name="home"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="public/accessibility.html"),
        name="accessibility",
    ),
    path("search/", search.search_page, name="search"),
    path("outcomes/", v.outcomes, name="outcomes"),
    path("outcomes/feed.atom", v.outcomes_feed, name="outcomes-feed"),
    path("outcomes/<int:pk>/", v.outcome, name="outcome"),
    path("outcomes/evidence/<int:pk>/", v.evidence, name="evidence"),
    path("decisions/", decisions.decisions, name="decisions"),
    path("decisions/feed.atom", decisions.decisions_feed, name="decisions-feed"),
    path("decisions/<int:pk>/", decisions.decision, name="decision"),
    path("enter-and-view/", v.visit_reports, name="visits"),
    path("enter-and-view/<int:pk>/", v.visit_report, name="visit"),
    path("service-changes/", v.service_changes, name="service-changes"),
    path("service-changes/<int:pk>/", v.service_change, name="service-change"),
    path("health-bodies/", v.health_bodies, name="health-bodies"),
    path("health-bodies/<slug:slug>/", v.health_body, name="health-body"),
    path("data/", v.data_index, name="data"),
    path("data/<slug:slug>.csv", v.data_download, {"fmt": "csv"}, name="data-csv"),
    path("data/<slug:slug>.json", v.data_download, {"fmt": "json"}, name="data-json"),
    path("suggest/", v.suggest, name="suggest"),
    path("suggest/thanks/", v.suggest_thanks, name="suggest-thanks"),
    path("suggestions/", v.suggestion_queue, name="suggestions"),
    path("suggestions/<int:pk>/", v.suggestion_moderate, name="suggestion"),
    path("topics/<int:pk>/publish/", v.publish, name="publish"),
    path("topics/<int:pk>/unpublish/", v.unpublish, name="unpublish"),
]
