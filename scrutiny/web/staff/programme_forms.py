"""Forms of the work programme pages: the year's capacity, and scheduling a topic."""

from __future__ import annotations

from django import forms

from protocols.services import programmes as rules


class YearForm(forms.Form):
    """The year chooser (GET)."""

    year = forms.TypedChoiceField(label="Municipal year", coerce=int)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = list(years)


class CapacityForm(forms.Form):
    topic_capacity = forms.IntegerField(
        label="Capacity in topics",
        min_value=1,
        max_value=rules.MAX_CAPACITY,
        help_text="How many topics the programme can carry this year, the reserve included.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    reserved = forms.IntegerField(
        label="Held in reserve for issues that arise",
        min_value=0,
        max_value=rules.MAX_CAPACITY,
        initial=0,
        help_text=(
            "Topics' worth of time kept free for what comes up during the year: urgent items, "
            "consultations on substantial changes to services, referrals."
        ),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    slots_per_meeting = forms.IntegerField(
        label="Programme topics one meeting can take (optional)",
        min_value=1,
        max_value=rules.MAX_SLOTS,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )


class ScheduleForm(forms.Form):
    topic = forms.ModelChoiceField(queryset=None, label="Topic", empty_label="Choose a topic")
    meeting = forms.ModelChoiceField(
        queryset=None,
        label="Target meeting",
        required=False,
        empty_label="No meeting yet",
    )
    reason = forms.CharField(
        label="Reason for adding beyond capacity",
        required=False,
        max_length=2000,
        help_text="Needed only when the programme, or the meeting, is full.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, topics, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: f"{m.title}, {m.date:%-d %B %Y}"


class UnscheduleForm(forms.Form):
    note = forms.CharField(label="Note for the record (optional)", required=False, max_length=500)
