"""Admin for joint working. Records are edited through the staff pages (whose services keep
calendar SEQUENCE numbers and sign-offs right), so here they are read-only; lifecycle moves are
actions through the same services."""

from django.contrib import admin

from protocols import services
from protocols.models import (
    AgendaItem,
    Attendance,
    CalendarToken,
    CommitteeRules,
    CommitteeSeat,
    Declaration,
    Meeting,
    Minutes,
    Paper,
    Protocol,
    ProtocolSignOff,
    ProtocolVersion,
)
from scrutiny.casework.admin import transition_action
from workflows.admin import ReadOnlyAdmin


class SignOffInline(admin.TabularInline):
    model = ProtocolSignOff
    extra = 0
    can_delete = False
    readonly_fields = ("organisation", "signatory_name", "signed_by", "signed_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Protocol)
class ProtocolAdmin(ReadOnlyAdmin):
    list_display = ("title", "partnership", "created_at")


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "protocol", "state", "review_on")
    list_filter = ("state",)
    inlines = [SignOffInline]
    actions = [
        transition_action(
            "Start review",
            lambda o, u, t: services.protocol_version_start_review(version=o, by=u, note=t),
            text_label="Why the protocol is being reviewed",
        ),
    ]

    def has_change_permission(self, request, obj=None):
        # Needed for actions to show; the form itself is read-only (every field below).
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    can_delete = False
    fields = ("position", "title", "topic", "exempt", "exempt_paragraph", "late", "resolution")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "date", "start_time", "body", "partnership", "state", "due_on")
    list_filter = ("state",)
    date_hierarchy = "date"
    inlines = [AgendaItemInline]
    actions = [
        transition_action("Mark held", lambda o, u, t: services.meeting_mark_held(meeting=o, by=u)),
        transition_action(
            "Cancel meeting",
            lambda o, u, t: services.meeting_cancel(meeting=o, by=u, reason=t),
            text_label="Reason for cancelling (published)",
        ),
    ]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "meeting", "topic", "exempt", "late")
    list_filter = ("exempt", "late")
    list_select_related = ("meeting", "topic")


@admin.register(Paper)
class PaperAdmin(ReadOnlyAdmin):
    list_display = ("title", "item", "original_name", "size", "uploaded_at")


@admin.register(CalendarToken)
class CalendarTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "hint", "created_at", "revoked_at", "last_used_at")
    actions = [
        transition_action(
            "Revoke calendar token",
            lambda o, u, t: services.calendar_token_revoke(user=o.user),
        ),
    ]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


# --- Meeting governance (read-only: the staff pages keep them, through the services) -----------


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "body", "year", "role", "voting", "starts_on", "ends_on", "user")
    list_filter = ("role", "year")
    list_select_related = ("body", "user")


@admin.register(CommitteeRules)
class CommitteeRulesAdmin(ReadOnlyAdmin):
    list_display = ("body", "co_optees_see_exempt")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("name", "meeting", "status", "substitute_for")
    list_filter = ("status",)
    list_select_related = ("meeting",)


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("attendee", "item", "kind", "withdrew")
    list_filter = ("kind",)
    list_select_related = ("attendee", "item")


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "state", "circulated_on", "approved_on", "published_at")
    list_filter = ("state",)
    list_select_related = ("meeting",)
