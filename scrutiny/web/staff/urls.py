"""Staff pages: support officers' and committee members' casework."""

from django.urls import path, re_path

from scrutiny.web.staff import views

app_name = "scrutiny"

urlpatterns = [
    path("work/", views.dashboard, name="dashboard"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/new/", views.topic_raise, name="topic-raise"),
    path("topics/<int:pk>/", views.topic_detail, name="topic-detail"),
    path("topics/<int:pk>/position/", views.topic_position, name="topic-position"),
    path(
        "topics/<int:pk>/positions/<int:position_pk>/agree/",
        views.topic_position_agree,
        name="topic-position-agree",
    ),
    path("topics/<int:pk>/requests/new/", views.request_draft, name="request-draft"),
    path(
        "topics/<int:pk>/recommendations/new/",
        views.recommendation_draft,
        name="recommendation-draft",
    ),
    # Only the topic's own transitions: other packages have pages under /topics/<pk>/ too.
    re_path(
        r"^topics/(?P<pk>[0-9]+)/(?P<name>{})/$".format("|".join(views.TRANSITIONS)),
        views.topic_transition,
        name="topic-transition",
    ),
    path("requests/<int:pk>/response/", views.request_response, name="request-response"),
    re_path(
        r"^(?P<kind>request|recommendation)s/(?P<pk>[0-9]+)/edit/$",
        views.item_edit,
        name="item-edit",
    ),
    re_path(
        r"^(?P<kind>request|recommendation)s/(?P<pk>[0-9]+)/delete/$",
        views.item_delete,
        name="item-delete",
    ),
    re_path(
        r"^(?P<kind>request|recommendation)s/(?P<pk>[0-9]+)/withdraw/$",
        views.item_withdraw,
        name="item-withdraw",
    ),
    path(
        "recommendations/<int:pk>/agreement/",
        views.recommendation_agree_at_meeting,
        name="recommendation-agree-meeting",
    ),
    path(
        "recommendations/<int:pk>/chairs-action/",
        views.recommendation_chairs_action,
        name="recommendation-chairs-action",
    ),
    path("topics/<int:pk>/scores/", views.topic_scores, name="topic-scores"),
    path(
        "recommendations/<int:pk>/response/",
        views.recommendation_response,
        name="recommendation-response",
    ),
    path(
        "recommendations/<int:pk>/progress/",
        views.recommendation_progress,
        name="recommendation-progress",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/publish/", views.evidence_publish, name="evidence-publish"),
    path("requests/<int:pk>/note/", views.request_note, name="request-note"),
    path("recommendations/<int:pk>/note/", views.recommendation_note, name="recommendation-note"),
    path("replies/", views.reply_list, name="reply-list"),
    path("replies/<int:pk>/", views.reply_review, name="reply-review"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("network-decisions/", views.decision_list, name="decision-list"),
    path("network-decisions/new/", views.decision_record, name="decision-record"),
    path("network-decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("network-decisions/<int:pk>/publish/", views.decision_publish, name="decision-publish"),
    path(
        "network-decisions/<int:pk>/set-aside/", views.decision_set_aside, name="decision-set-aside"
    ),
    path(
        "referrals/<int:pk>/acknowledge/",
        views.referral_acknowledge,
        name="referral-acknowledge",
    ),
    path("referrals/<int:pk>/update/", views.referral_update, name="referral-update"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/new/", views.visit_plan, name="visit-plan"),
    path("visits/representatives/", views.representatives, name="representatives"),
    path("visits/premises/new/", views.site_add, name="site-add"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    re_path(
        r"^visits/(?P<pk>[0-9]+)/(?P<action>{})/$".format("|".join(views.VISIT_ACTIONS)),
        views.visit_action,
        name="visit-action",
    ),
    path("programme/<slug:slug>/", views.programme, name="programme"),
    path(
        "programme/<slug:slug>/<int:year>/capacity/",
        views.programme_capacity,
        name="programme-capacity",
    ),
    path(
        "programme/<slug:slug>/<int:year>/schedule/",
        views.programme_schedule,
        name="programme-schedule",
    ),
    path(
        "programme/<slug:slug>/<int:year>/entries/<int:pk>/unschedule/",
        views.programme_unschedule,
        name="programme-unschedule",
    ),
    # Service-change consultations and the health-body register (docs/consultations.md).
    path("consultations/", views.consultation_list, name="consultation-list"),
    path("consultations/new/", views.consultation_new, name="consultation-new"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/view/", views.consultation_view, name="consultation-view"),
    path(
        "consultations/<int:pk>/comments/",
        views.consultation_comments,
        name="consultation-comments",
    ),
    path(
        "consultations/<int:pk>/decision/",
        views.consultation_decision,
        name="consultation-decision",
    ),
    path("consultations/<int:pk>/call-in/", views.call_in_new, name="call-in-new"),
    path("call-ins/<int:pk>/answer/", views.call_in_answer, name="call-in-answer"),
    path("call-ins/<int:pk>/outcome/", views.call_in_outcome, name="call-in-outcome"),
    path("register/", views.register_list, name="register-list"),
    path("register/<slug:slug>/", views.register_body, name="register-body"),
    path("register/<slug:slug>/plans/new/", views.register_plan, name="register-plan"),
    path("register/<slug:slug>/board-feed/", views.register_board_feed, name="register-feed"),
    path("members/", views.members, name="members"),
    # Annual reports of a network or committee (docs/annual-reports.md)
    path("reporting/annual/", views.annual_report_list, name="annual-report-list"),
    path("reporting/annual/new/", views.annual_report_start, name="annual-report-start"),
    path("reporting/annual/<int:pk>/", views.annual_report_detail, name="annual-report"),
    path(
        "reporting/annual/<int:pk>/sections/new/",
        views.annual_report_section,
        name="annual-report-section-add",
    ),
    path(
        "reporting/annual/<int:pk>/sections/<int:section_pk>/",
        views.annual_report_section,
        name="annual-report-section",
    ),
    path(
        "reporting/annual/<int:pk>/publish/",
        views.annual_report_publish,
        name="annual-report-publish",
    ),
    path(
        "reporting/annual/<int:pk>/report.pdf",
        views.annual_report_download,
        {"fmt": "pdf"},
        name="annual-report-pdf",
    ),
    path(
        "reporting/annual/<int:pk>/figures.csv",
        views.annual_report_download,
        {"fmt": "csv"},
        name="annual-report-csv",
    ),
    path(
        "reporting/annual/<int:pk>/figures.json",
        views.annual_report_download,
        {"fmt": "json"},
        name="annual-report-json",
    ),
]
