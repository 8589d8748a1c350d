"""Settings pages of an administered body and partnership (issue 16)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from scrutiny.casework import services
from scrutiny.casework.models import Organisation
from scrutiny.casework.policy import administered_bodies, administered_partnerships
from scrutiny.web.administration.views import admin_required
from scrutiny.web.errors import form_view


class BodySettingsForm(forms.Form):
    label = forms.CharField(max_length=60, required=False, label="What this body is called")
    description = forms.CharField(widget=forms.Textarea, required=False, label="Description")
    email = forms.EmailField(required=False, label="E-mail address")


class PartnershipSettingsForm(forms.Form):
    programme_capacity = forms.IntegerField(
        min_value=0, max_value=32767, label="Programme capacity (topics a year)"
    )
    description = forms.CharField(widget=forms.Textarea, required=False, label="Description")
    threshold = forms.IntegerField(min_value=0, label="Prioritisation threshold")


def _settings_page(request, form_class, subject, initial, change):
    """The one settings page: the form, `change(by, subject, **data)` on a valid POST."""
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)

    def on_valid(data):
        change(request.user, subject, **data)
        messages.success(request, f"{subject.name}'s settings are saved.")
        return redirect(reverse("administration:home"))

    return form_view(
        request,
        form,
        on_valid=on_valid,
        template="administration/settings.html",
        context={"subject": subject, "heading": f"{subject.name}: settings"},
    )


@admin_required
def body_settings(request, pk):
    if pk not in administered_bodies(request.user):
        raise Http404("No such body among those you administer.")
    body = get_object_or_404(Organisation, pk=pk)
    initial = {"label": body.label, "description": body.description, "email": body.email}
    return _settings_page(request, BodySettingsForm, body, initial, services.body_settings_change)


@admin_required
def partnership_settings(request, pk):
    partnership = (
        administered_partnerships(request.user).select_related("framework").filter(pk=pk).first()
    )
    if partnership is None:
        raise Http404("No such partnership among those you administer.")
    initial = {
        "programme_capacity": partnership.programme_capacity,
        "description": partnership.description,
        "threshold": partnership.framework.threshold,
    }
    return _settings_page(
        request, PartnershipSettingsForm, partnership, initial, services.partnership_settings_change
    )
