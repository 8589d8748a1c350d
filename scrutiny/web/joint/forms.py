"""Forms: they collect and type the input; the services decide."""

from __future__ import annotations

from django import forms

from protocols.models import SECTIONS, ExemptParagraph, Resolution
from protocols.services import NeedsConfirmation
from scrutiny.casework.models import Organisation, Partnership, Topic
from scrutiny.web.errors import place_errors


def conditional(field: forms.Field) -> forms.Field:
    """A field required only in some cases (the service says when): its label says neither
    "(optional)" nor required, and its hint says when it is needed."""
    field.conditional = True
    return field


def organiser_choices(bodies, partnerships):
    """'body:<id>' or 'partnership:<id>' for the bodies and partnerships a user manages."""
    choices = [("", "Choose…")]
    choices += [(f"body:{b.pk}", f"{b} ({b.kind_label})") for b in bodies]
    choices += [(f"partnership:{p.pk}", f"{p} (joint)") for p in partnerships]
    return choices


def resolve_organiser(value: str):
    """(body, partnership) for an organiser choice value."""
    kind, _, pk = (value or "").partition(":")
    if kind == "body" and pk.isdigit():
        return Organisation.objects.filter(pk=pk).first(), None
    if kind == "partnership" and pk.isdigit():
        return None, Partnership.objects.filter(pk=pk).first()
    return None, None


class MeetingForm(forms.Form):
    organiser = forms.ChoiceField(label="Whose meeting is it?")
    title = forms.CharField(max_length=200)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="End time"
    )
    place = conditional(
        forms.CharField(
            max_length=300,
            required=False,
            label="Place",
            help_text="Give a place, an online meeting link, or both.",
        )
    )
    online_url = conditional(
        forms.URLField(
            required=False,
            label="Online meeting link",
            assume_scheme="https",
            help_text="Needed when no place is given.",
        )
    )
    confirm = forms.BooleanField(
        required=False,
        label="I have checked the warnings above and want to save this meeting anyway",
        widget=forms.CheckboxInput,
    )

    def __init__(self, *args, organisers=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = organisers
        if editing:
            del self.fields["organiser"]
        self.warnings: list[str] = []

    def add_domain_error(self, exc):
        """A past date or a clash comes back as warnings to confirm (NeedsConfirmation), shown
        above the form with the confirm box; anything else goes on the fields."""
        if isinstance(exc, NeedsConfirmation):
            self.warnings = exc.warnings
        else:
            place_errors(self, exc)


class ImportForm(forms.Form):
    organiser = forms.ChoiceField(label="Whose meetings are these?")
    file = forms.FileField(label="Calendar file (.ics)")

    def __init__(self, *args, organisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = organisers


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    topic = forms.ModelChoiceField(queryset=Topic.objects.none(), required=False)
    presenter = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    exempt = forms.BooleanField(required=False, label="Exempt information (Schedule 12A)")
    exempt_paragraph = conditional(
        forms.TypedChoiceField(
            choices=[("", "Not exempt")] + list(ExemptParagraph.choices),
            coerce=int,
            empty_value=None,
            required=False,
            label="Schedule 12A paragraph",
            help_text="Needed for an exempt item.",
        )
    )
    public_interest_reason = conditional(
        forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            label="Public interest test: why keeping it exempt outweighs disclosure",
            help_text="Needed for an exempt item.",
        )
    )
    # Only on a late item (the agenda is published), and then required.
    late_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Late item: the chair's reason of urgency",
        error_messages={"required": "Record the chair's reason of urgency."},
    )

    def __init__(self, *args, topics=None, late=False, **kwargs):
        super().__init__(*args, **kwargs)
        if topics is not None:
            self.fields["topic"].queryset = topics
        if not late:
            del self.fields["late_reason"]


class PaperForm(forms.Form):
    title = forms.CharField(max_length=300, required=False, label="Title")
    file = forms.FileField()


class PublishForm(forms.Form):
    """Publishing is one button: a late agenda's reason of urgency is the chair's, given on the
    chair's action page (UrgencyReasonForm), never typed in here by an officer."""


class UrgencyReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your reason of urgency",
        help_text=(
            "Why this meeting cannot wait for the agenda to be published on time (Local "
            "Government Act 1972, section 100B(4)(b)). It is recorded with the agenda."
        ),
        error_messages={"required": "Enter your reason of urgency."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why is it cancelled?")


class DecisionForm(forms.Form):
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Decision")
    resolution = forms.ChoiceField(choices=Resolution.choices, required=False)
    outcome_summary = conditional(
        forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            label="Outcome summary (when concluding)",
        )
    )
    close_without_response_reason = conditional(
        forms.CharField(
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
            label="Reason to close without an awaited response (when concluding)",
        )
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c['key']}"] = conditional(
                forms.IntegerField(
                    required=False, min_value=0, label=f"Score: {c['label']} (when prioritising)"
                )
            )

    def scores(self) -> dict:
        return {
            c["key"]: self.cleaned_data.get(f"score_{c['key']}")
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c['key']}") is not None
        }


class ProtocolVersionForm(forms.Form):
    review_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Review date"
    )
    acknowledgement_days = forms.IntegerField(
        min_value=1, max_value=366, label="Acknowledgement period (working days)"
    )

    def __init__(self, *args, text_editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        if text_editable:
            for key, label in SECTIONS:
                self.fields[key] = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": 6})
                )
        else:
            del self.fields["acknowledgement_days"]


class ProtocolCreateForm(forms.Form):
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none())
    title = forms.CharField(max_length=200)

    def __init__(self, *args, partnerships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships


class SignOffForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Signing for")
    signatory_name = forms.CharField(max_length=200, required=False, label="Signatory's name")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
