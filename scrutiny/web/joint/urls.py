from django.urls import path

from scrutiny.web.joint import views

app_name = "protocols"

urlpatterns = [
    # Protocols
    path("protocols/", views.protocol_list, name="protocol-list"),
    path("protocols/new/", views.protocol_create, name="protocol-create"),
    path("protocols/<int:pk>/", views.protocol_detail, name="protocol-detail"),
    path("protocols/<int:pk>/compare/", views.protocol_compare, name="protocol-compare"),
    path("protocols/<int:pk>/versions/new/", views.version_new, name="version-new"),
    path("protocols/<int:pk>/versions/<int:number>/", views.version_detail, name="version-detail"),
    path("protocols/<int:pk>/versions/<int:number>/edit/", views.version_edit, name="version-edit"),
    path("protocols/<int:pk>/versions/<int:number>/sign/", views.version_sign, name="version-sign"),
    path(
        "protocols/<int:pk>/versions/<int:number>/review/",
        views.version_review,
        name="version-review",
    ),
    # Meetings
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/mine/", views.my_meetings, name="my-meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/import/", views.meeting_import, name="meeting-import"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/pack/", views.meeting_pack, name="meeting-pack"),
    path("meetings/<int:pk>/pack.pdf", views.meeting_pack_pdf, name="meeting-pack-pdf"),
    path(
        "meetings/<int:pk>/pack/members.pdf",
        views.meeting_pack_members_pdf,
        name="meeting-pack-members-pdf",
    ),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/publish/", views.meeting_publish, name="meeting-publish"),
    path(
        "meetings/<int:pk>/urgency/ask/",
        views.meeting_urgency_request,
        name="meeting-urgency-request",
    ),
    path("meetings/<int:pk>/urgency/", views.meeting_urgency, name="meeting-urgency"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/held/", views.meeting_held, name="meeting-held"),
    path("meetings/<int:pk>/items/new/", views.item_add, name="item-add"),
    path("meetings/<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item-edit"),
    path("meetings/<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item-move"),
    path("meetings/<int:pk>/items/<int:item_pk>/papers/new/", views.paper_add, name="paper-add"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/decision/",
        views.item_decision,
        name="item-decision",
    ),
    path("papers/<int:pk>/", views.paper_download, name="paper-download"),
    # Meeting governance: membership by municipal year, attendance, declarations, minutes
    path("committees/<slug:slug>/members/", views.body_seats, name="body-seats"),
    path("committees/<slug:slug>/members/rules/", views.body_rules, name="body-rules"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path(
        "meetings/<int:pk>/declarations/",
        views.meeting_declarations,
        name="meeting-declarations",
    ),
    path("meetings/<int:pk>/minutes/", views.minutes_detail, name="minutes"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes-pdf"),
    path("meetings/<int:pk>/minutes/edit/", views.minutes_edit, name="minutes-edit"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_approve, name="minutes-approve"),
    path("meetings/<int:pk>/minutes/<slug:move>/", views.minutes_move, name="minutes-move"),
    # Calendars
    path("calendar.ics", views.calendar_public, name="calendar-public"),
    path("calendars/", views.calendars_page, name="calendars"),
    path("calendars/body/<slug:slug>.ics", views.calendar_body, name="calendar-body"),
    path(
        "calendars/partnership/<slug:slug>.ics",
        views.calendar_partnership,
        name="calendar-partnership",
    ),
    path("calendars/personal/<str:token>.ics", views.calendar_personal, name="calendar-personal"),
]
