"""Forms: they collect and type the input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from protocols.models import (
    SECTIONS,
    AttendanceStatus,
    ExemptParagraph,
    InterestKind,
    Resolution,
    SeatKind,
)
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


# --- Meeting governance -----------------------------------------------------------------------


class AttendanceForm(forms.Form):
    seat = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Seat (optional)",
        help_text="Choose the member's seat, or type a name below.",
    )
    name = conditional(
        forms.CharField(
            max_length=200, required=False, label="Name", help_text="Needed without a seat."
        )
    )
    status = forms.ChoiceField(
        choices=AttendanceStatus.choices, widget=forms.RadioSelect, label="Attendance"
    )
    substitute_for = conditional(
        forms.CharField(
            max_length=200,
            required=False,
            label="Sat as substitute for",
            help_text="Needed for a substitute, unless their seat says whom they stand in for.",
        )
    )

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = seats


class DeclarationForm(forms.Form):
    item = forms.ModelChoiceField(queryset=None, label="Agenda item")
    attendee = forms.ModelChoiceField(queryset=None, label="Who declared it")
    kind = forms.ChoiceField(
        choices=InterestKind.choices, widget=forms.RadioSelect, label="Kind of interest"
    )
    interest = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="What the interest is"
    )
    withdrew = forms.BooleanField(
        required=False, label="They left the room and took no part in the item"
    )

    def __init__(self, *args, items, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["attendee"].queryset = attendees


class MinutesForm(forms.Form):
    introduction = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Introduction (optional)",
        help_text="Anything the minutes record before the items, such as the chair's welcome.",
    )


class MinutesApproveForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=None,
        label="The item that approved them",
        help_text="An item of a later, held meeting of the same body or partnership.",
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda it: f"{it.meeting}: item {it.position}"


class SeatForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    role = forms.ChoiceField(choices=SeatKind.choices, widget=forms.RadioSelect, label="Role")
    voting = forms.BooleanField(
        required=False,
        initial=True,
        label="Has a vote",
        help_text="Councillors always vote; untick for a non-voting co-optee or substitute.",
    )
    represents = forms.CharField(max_length=200, required=False, label="Represents (optional)")
    username = forms.CharField(
        max_length=150,
        required=False,
        label="Sign-in name (optional)",
        help_text="A co-optee with a sign-in can open the committee's agenda packs.",
    )
    substitute_for = conditional(
        forms.ModelChoiceField(
            queryset=None,
            required=False,
            label="Substitute for",
            help_text="Needed for a substitute.",
        )
    )
    starts_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="From (optional)",
        help_text="The first day of the municipal year unless you say otherwise.",
    )
    ends_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Until (optional)",
        help_text="The last day of the municipal year unless you say otherwise.",
    )

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute_for"].queryset = seats

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active person signs in with that name.")
        return user


class CommitteeRulesForm(forms.Form):
    co_optees_see_exempt = forms.BooleanField(
        required=False, label="Co-opted members receive exempt items and papers"
    )
