"""A health body's responders' pages."""

from django.urls import path, re_path

from scrutiny.web.bodies import views

app_name = "bodies"

urlpatterns = [
    path("body/", views.inbox, name="inbox"),
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
    path("body/recommendations/<int:pk>/progress/", views.progress_report, name="progress"),
]
