"""Admin for the outbox, the sweep's marks and people's notification preferences.

Imported from workflows/admin.py (`from workflows import notification_admin  # noqa: F401`).
"""

from django.contrib import admin, messages

from workflows.models import Notification, NotificationPreference, SweepMark
from workflows.notifications import notification_retry


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnly):
    list_display = ("created_at", "kind", "to_email", "subject", "state", "attempts", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("to_email", "subject", "event_key")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_delivery"]

    @admin.action(description="Retry delivery of the failed notifications selected")
    def retry_delivery(self, request, queryset):
        failed = list(queryset.filter(state=Notification.State.FAILED))
        for notification in failed:
            notification_retry(notification=notification)
        messages.info(request, f"{len(failed)} failed notification(s) queued for delivery again.")

    def get_actions(self, request):
        # The retry action needs change permission on notifications, not just view.
        actions = super().get_actions(request)
        if not request.user.has_perm("workflows.change_notification"):
            actions.pop("retry_delivery", None)
        return actions


@admin.register(SweepMark)
class SweepMarkAdmin(_ReadOnly):
    list_display = ("at", "kind", "object_id", "level", "due_on", "marked_on")
    list_filter = ("kind", "level")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", *NotificationPreference.KINDS, "updated_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
