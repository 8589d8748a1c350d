"""Admin for rules, holidays and the logs. Rule and holiday changes recompute open due dates."""

from django.contrib import admin, messages

from workflows import notification_admin  # noqa: F401  (outbox, sweep marks, preferences)
from workflows.audit import EventType, event_label
from workflows.models import AuditEvent, DeadlineRule, DueDateChange, HolidayOverride
from workflows.notifications import (
    deadline_rule_save_and_notify as deadline_rule_save,
)
from workflows.notifications import (
    holiday_override_delete_and_notify as holiday_override_delete,
)
from workflows.notifications import (
    holiday_override_save_and_notify as holiday_override_save,
)


def _report_moved(request, moved):
    if moved:
        messages.info(request, f"{len(moved)} open due date(s) moved; see 'Due date changes'.")
    else:
        messages.info(request, "No open due date moved.")


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "kind", "period", "unit", "start_day_counts", "region")
    search_fields = ("slug", "name", "source")

    def save_model(self, request, obj, form, change):
        _report_moved(request, deadline_rule_save(rule=obj, by=request.user))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "action", "name", "region")
    list_filter = ("region", "action")

    def save_model(self, request, obj, form, change):
        _report_moved(request, holiday_override_save(override=obj, by=request.user))

    def delete_model(self, request, obj):
        _report_moved(request, holiday_override_delete(override=obj, by=request.user))

    def delete_queryset(self, request, queryset):
        moved = []
        for obj in queryset:
            moved += holiday_override_delete(override=obj, by=request.user)
        _report_moved(request, moved)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventTypeFilter(admin.SimpleListFilter):
    title = "event"
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return EventType.choices

    def queryset(self, request, queryset):
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "content_type",
        "object_id",
        "event",
        "source_state",
        "target_state",
        "actor",
    )
    list_filter = ("content_type", EventTypeFilter)
    list_select_related = ("content_type", "actor")

    @admin.display(description="event", ordering="event_type")
    def event(self, obj):
        return event_label(obj)


@admin.register(DueDateChange)
class DueDateChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "old_due_on", "new_due_on", "reason")
    list_select_related = ("content_type",)
