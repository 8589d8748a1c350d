"""Forms for the key and webhook pages."""

from __future__ import annotations

from django import forms

from api.models import ApiKey
from scrutiny.casework.models import Organisation
from scrutiny.casework.policy import holders, visible
from scrutiny.casework.roles import Perm


def manageable_bodies(user, perm: Perm):
    """The health bodies whose keys (or webhooks) `user` manages."""
    return visible(user, Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY), perm)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class ApiKeyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None, label="Health body", empty_label="Choose a body"
    )
    user = PersonChoiceField(
        queryset=None,
        label="Person the key is for",
        help_text="A responder of the body. The API acts as this person.",
        empty_label="Choose a person",
    )
    name = forms.CharField(
        max_length=100,
        label="What the key is for",
        help_text="For example, 'Datix bridge' or 'Governance team script'.",
    )
    scopes = forms.MultipleChoiceField(
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.READ, ApiKey.Scope.RESPOND],
        label="What the key may do",
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = manageable_bodies(by, Perm.KEY_MANAGE)
        self.fields["organisation"].queryset = bodies
        self.fields["user"].queryset = (
            holders(Perm.HEALTH_BODY_ACT, bodies.values("pk"))
            .filter(is_active=True)
            .order_by("username")
        )
        if bodies.count() == 1:
            self.fields["organisation"].initial = bodies.first()
        people = self.fields["user"].queryset
        if people.count() == 1:
            self.fields["user"].initial = people.first()


class WebhookForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None, label="Health body", empty_label="Choose a body"
    )
    url = forms.URLField(
        max_length=500,
        label="Address to POST events to",
        help_text="An https:// address on your own systems.",
        assume_scheme="https",
    )
    description = forms.CharField(max_length=200, required=False, label="Description (optional)")

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = manageable_bodies(by, Perm.WEBHOOK_MANAGE)
        self.fields["organisation"].queryset = bodies
        if bodies.count() == 1:
            self.fields["organisation"].initial = bodies.first()
