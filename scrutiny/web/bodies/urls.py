"""A health body's responders' pages."""

from django.urls import path, re_path

from scrutiny.web.bodies import consultations, people, views

app_name = "bodies"

urlpatterns = [
    path("body/", views.inbox, name="inbox"),
    path("body/consultations/", consultations.consultations, name="consultations"),
    path("body/consultations/new/", consultations.consultation_new, name="consultation-new"),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/answer/$",
        views.answer,
        name="answer",
    ),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/answer/check/$",
        views.answer_check,
        name="answer-check",
    ),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/answer/done/$",
        views.answer_done,
        name="answer-done",
    ),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/$",
        views.item,
        name="item",
    ),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/correct/$",
        views.correct,
        name="correct",
    ),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/correct/check/$",
        views.correct_check,
        name="correct-check",
    ),
    re_path(
        r"^body/(?P<kinds>requests|recommendations)/(?P<pk>[0-9]{1,18})/correct/done/$",
        views.correct_done,
        name="correct-done",
    ),
    path("body/visits/<int:pk>/", views.visit, name="visit"),
    path("body/recommendations/<int:pk>/progress/", views.progress_report, name="progress"),
    path("bodies/<int:pk>/people/", people.people, name="people"),
    path("bodies/<int:pk>/invite/", people.invite, name="invite"),
    path("bodies/<int:pk>/people/<int:membership_pk>/remove/", people.remove, name="remove"),
    path("bodies/<int:pk>/invitations/<int:invitation_pk>/withdraw/", people.revoke, name="revoke"),
    path("invitations/<str:token>/", people.accept, name="invitation"),
]
