"""The public site (namespace "public"), plus the officers' publish and moderation pages."""

from django.urls import path
from django.views.generic import TemplateView

from scrutiny.web.public import annual, decisions, follow
from scrutiny.web.public import programme as programmes
from scrutiny.web.public import views as v

app_name = "public"

urlpatterns = [
    path("", v.home, name="home"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="public/accessibility.html"),
        name="accessibility",
    ),
    path("outcomes/", v.outcomes, name="outcomes"),
    path("outcomes/feed.atom", v.outcomes_feed, name="outcomes-feed"),
    path("outcomes/<int:pk>/", v.outcome, name="outcome"),
    path("outcomes/evidence/<int:pk>/", v.evidence, name="evidence"),
    path("decisions/", decisions.decisions, name="decisions"),
    path("decisions/feed.atom", decisions.decisions_feed, name="decisions-feed"),
    path("decisions/<int:pk>/", decisions.decision, name="decision"),
    path("annual-reports/", annual.annual_reports, name="annual-reports"),
    path("annual-reports/<int:pk>/", annual.annual_report, name="annual-report"),
    path(
        "annual-reports/<int:pk>/report.pdf",
        annual.annual_report_download,
        {"fmt": "pdf"},
        name="annual-report-pdf",
    ),
    path(
        "annual-reports/<int:pk>/figures.csv",
        annual.annual_report_download,
        {"fmt": "csv"},
        name="annual-report-csv",
    ),
    path(
        "annual-reports/<int:pk>/figures.json",
        annual.annual_report_download,
        {"fmt": "json"},
        name="annual-report-json",
    ),
    path("enter-and-view/", v.visit_reports, name="visits"),
    path("enter-and-view/<int:pk>/", v.visit_report, name="visit"),
    path("service-changes/", v.service_changes, name="service-changes"),
    path("service-changes/<int:pk>/", v.service_change, name="service-change"),
    path("health-bodies/", v.health_bodies, name="health-bodies"),
    path("health-bodies/<slug:slug>/", v.health_body, name="health-body"),
    path("data/", v.data_index, name="data"),
    path("data/<slug:slug>.csv", v.data_download, {"fmt": "csv"}, name="data-csv"),
    path("data/<slug:slug>.json", v.data_download, {"fmt": "json"}, name="data-json"),
    path("work-programme/", programmes.programme_index, name="programmes"),
    path("work-programme/<slug:slug>/", programmes.programme, name="programme"),
    path(
        "work-programme/<slug:slug>/feed.atom",
        programmes.programme_feed,
        name="programme-feed",
    ),
    path("who-is-who/", programmes.who_is_who_index, name="who-is-who"),
    path("who-is-who/<slug:slug>/", programmes.who_is_who, name="who-is-who-body"),
    path("suggest/", v.suggest, name="suggest"),
    path("suggest/thanks/", v.suggest_thanks, name="suggest-thanks"),
    path("suggestions/", v.suggestion_queue, name="suggestions"),
    path("suggestions/<int:pk>/", v.suggestion_moderate, name="suggestion"),
    path("topics/<int:pk>/publish/", v.publish, name="publish"),
    path("topics/<int:pk>/unpublish/", v.unpublish, name="unpublish"),
    # Following (docs/decisions/0030-following.md).
    path("follow/", follow.subscribe, name="follow"),
    path("follow/check-your-email/", follow.check_email, name="follow-check"),
    path("follow/confirm/<str:token>/", follow.confirm, name="follow-confirm"),
    path("follow/unsubscribe/<str:token>/", follow.unsubscribe, name="unsubscribe"),
    path("follow/body/<slug:slug>/", follow.follow_body, name="follow-body"),
    path("follow/body/<slug:slug>/feed.atom", follow.body_feed, name="follow-body-feed"),
    path("follow/area/<slug:slug>/", follow.follow_area, name="follow-area"),
    path("follow/area/<slug:slug>/feed.atom", follow.area_feed, name="follow-area-feed"),
    path("outcomes/search.atom", follow.search_feed, name="search-feed"),
    path("outcomes/<int:pk>/feed.atom", follow.topic_feed, name="outcome-feed"),
    path("health-bodies/<slug:slug>/feed.atom", follow.health_body_feed, name="health-body-feed"),
]
