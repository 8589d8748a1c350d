"""Admin for rules, holidays and the logs.

A change to a rule's terms or to the holiday list is previewed before it is saved: the admin
shows how many open due dates would move, the earliest and latest of them and a sample, and saves
only when the administrator confirms (docs/decisions/0018-rule-changes.md).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.template.response import TemplateResponse
from django.utils import timezone

from workflows import notification_admin  # noqa: F401  (outbox, sweep marks, preferences)
from workflows.audit import EventType, event_label
from workflows.errors import InvalidInput
from workflows.models import (
    AuditEvent,
    DeadlineRule,
    DeadlineRuleVersion,
    DueDateChange,
    HolidayOverride,
)
from workflows.notifications import (
    deadline_rule_save_and_notify,
    holiday_override_delete_and_notify,
    holiday_override_save_and_notify,
)
from workflows.services import deadline_rule_preview, holiday_override_preview, rule_terms

CONFIRM = "_confirm_change"


def _report_moved(request, moved):
    if moved:
        messages.info(
            request,
            f"{len(moved)} open due date(s) moved; each is on its item's timeline and under "
            "'Due date changes'.",
        )
    else:
        messages.info(request, "No open due date moved.")


def describe_terms(terms) -> str:
    """'20 working days after the start', '5 clear working days before the event'."""
    unit = dict(DeadlineRule.Unit.choices)[terms["unit"]]
    if terms["kind"] == DeadlineRule.Kind.CLEAR_DAYS_BEFORE:
        text = f"{terms['period']} clear {unit} before the event"
    else:
        counting = "beginning with" if terms["start_day_counts"] else "after"
        text = f"{terms['period']} {unit} {counting} the start"
    region = terms["region"] or settings.CF_HOLIDAY_REGION
    return f"{text} (bank holidays of {region})"


class PreviewBeforeSaveAdmin(admin.ModelAdmin):
    """A change form whose POST first shows what the change would move, and saves only when
    that page's confirmation is posted. The form computes `form.plan` (None: nothing to
    confirm); `preview_context` adds the words."""

    preview_template = "admin/workflows/preview_change.html"

    def preview_context(self, request, form, obj):
        return {}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and CONFIRM not in request.POST:
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            allowed = (
                self.has_change_permission(request, obj)
                if obj is not None
                else object_id is None and self.has_add_permission(request)
            )
            if allowed:
                form_class = self.get_form(request, obj, change=obj is not None)
                form = form_class(request.POST, request.FILES, instance=obj)
                if form.is_valid() and form.plan is not None:
                    return self._preview(request, form, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, form, obj):
        opts = self.model._meta
        plan = form.plan
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Check the change to this {opts.verbose_name}",
            "object": obj,
            "plan": plan,
            "sample": plan.sample,
            "posted": [
                (name, value)
                for name, values in request.POST.lists()
                if name != "csrfmiddlewaretoken"
                for value in values
            ],
            "confirm_name": CONFIRM,
            "hold_minutes": settings.CF_DUE_DATE_NOTICE_HOLD_MINUTES,
            **self.preview_context(request, form, obj),
        }
        return TemplateResponse(request, self.preview_template, context)


class DeadlineRuleForm(forms.ModelForm):
    effective_from = forms.DateField(
        required=False,
        label="Applies to clocks started on or after",
        help_text=(
            "Clocks started before this date keep the terms they started under. "
            "For example, 2026-12-02. Not used for a correction."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    correction = forms.BooleanField(
        required=False,
        label="This change corrects a mistake in the current terms",
        help_text="Every open clock counted by the current terms is recomputed.",
    )
    note = forms.CharField(
        required=False,
        max_length=300,
        label="Why (recorded with the change)",
        help_text="For example, the regulation that changed the period.",
    )

    class Meta:
        model = DeadlineRule
        fields = ("slug", "name", "source", *DeadlineRule.TERM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()
        self.plan = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.plan = deadline_rule_preview(
                rule=self.instance,
                effective_from=self.cleaned_data.get("effective_from"),
                correction=self.cleaned_data.get("correction", False),
            )
        except InvalidInput as exc:
            self.add_error("effective_from", exc.message)


class DeadlineRuleVersionInline(admin.TabularInline):
    model = DeadlineRuleVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "effective_from",
        "period",
        "unit",
        "kind",
        "start_day_counts",
        "region",
        "correction",
        "note",
        "recorded_at",
        "recorded_by",
    )
    ordering = ("effective_from", "id")
    verbose_name_plural = "versions (which terms apply to clocks started from when)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(PreviewBeforeSaveAdmin):
    form = DeadlineRuleForm
    list_display = ("slug", "name", "kind", "period", "unit", "start_day_counts", "region")
    search_fields = ("slug", "name", "source")
    inlines = [DeadlineRuleVersionInline]
    fieldsets = [
        (None, {"fields": ("slug", "name", "source")}),
        ("Terms", {"fields": ("kind", "period", "unit", "start_day_counts", "region")}),
        (
            "When the change applies",
            {"fields": ("effective_from", "correction", "note")},
        ),
    ]

    def preview_context(self, request, form, obj):
        recorded = DeadlineRule.objects.get(pk=obj.pk)
        correction = form.cleaned_data.get("correction", False)
        effective_from = form.cleaned_data.get("effective_from")
        return {
            "changes": [
                ("Terms now", describe_terms(rule_terms(recorded))),
                ("Terms after the change", describe_terms(rule_terms(obj))),
                (
                    "Applies to",
                    "every open clock counted by the current terms (a correction)"
                    if correction
                    else f"clocks started on or after {effective_from:%-d %B %Y}; "
                    "earlier clocks keep their due dates",
                ),
            ],
        }

    def save_model(self, request, obj, form, change):
        _report_moved(
            request,
            deadline_rule_save_and_notify(
                rule=obj,
                by=request.user,
                effective_from=form.cleaned_data.get("effective_from"),
                correction=form.cleaned_data.get("correction", False),
                note=form.cleaned_data.get("note", ""),
            ),
        )

    def has_delete_permission(self, request, obj=None):
        return False


class HolidayOverrideForm(forms.ModelForm):
    class Meta:
        model = HolidayOverride
        fields = ("region", "date", "action", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = None

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            self.plan = holiday_override_preview(override=self.instance)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(PreviewBeforeSaveAdmin):
    form = HolidayOverrideForm
    list_display = ("date", "action", "name", "region")
    list_filter = ("region", "action")
    delete_confirmation_template = "admin/workflows/holidayoverride/delete_confirmation.html"

    def preview_context(self, request, form, obj):
        override = form.instance
        return {
            "changes": [
                ("Change", f"{override.get_action_display()}: {override.date:%-d %B %Y}"),
                ("Name", override.name),
                ("Region", override.get_region_display()),
            ],
        }

    def get_actions(self, request):
        # One at a time, each with its preview: the bulk delete has none.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if obj is not None and request.method != "POST":
            extra_context["plan"] = holiday_override_preview(override=obj, delete=True)
            extra_context["hold_minutes"] = settings.CF_DUE_DATE_NOTICE_HOLD_MINUTES
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        _report_moved(request, holiday_override_save_and_notify(override=obj, by=request.user))

    def delete_model(self, request, obj):
        _report_moved(request, holiday_override_delete_and_notify(override=obj, by=request.user))


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
