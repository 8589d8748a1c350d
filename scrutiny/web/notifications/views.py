"""The page where people choose which e-mails they receive (reminders, digests, escalations)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from workflows.models import NotificationPreference
from workflows.notifications import preference_for, preference_save

HINTS = {
    "reminder_before": "For health body responders: what your organisation must answer soon.",
    "reminder_due": "For health body responders: on the day an answer is due.",
    "reminder_overdue": "For health body responders: when an answer is late.",
    "escalation": "For chairs: when an answer is very late.",
    "digest": "For support officers: each working morning, what is due and overdue.",
    "due_date_changed": "When a bank holiday or a deadline rule moves a due date.",
}


class NotificationPreferenceForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationPreference.KINDS:
            model_field = NotificationPreference._meta.get_field(kind)
            self.fields[kind] = forms.BooleanField(
                label=model_field.verbose_name, required=False, help_text=HINTS.get(kind, "")
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    current = preference_for(request.user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            preference_save(user=request.user, choices=form.cleaned_data)
            messages.success(request, "Your e-mail choices have been saved.")
            return redirect("notifications:preferences")
    else:
        form = NotificationPreferenceForm(
            initial={kind: current.wants(kind) for kind in NotificationPreference.KINDS}
        )
    return render(
        request,
        "scrutiny/notifications/preferences.html",
        {"form": form, "no_email": not request.user.email},
    )
