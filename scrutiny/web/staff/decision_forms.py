"""Forms of the relevant-decisions pages (scrutiny.web.staff.views.decisions)."""

from __future__ import annotations

from django import forms

from scrutiny.casework.models import RECORDED_BY_SERVICES, DecisionKind, DecisionState, Organisation

STATEMENT_HELP = "The decision, in words a resident understands."
REASONS_HELP = "Why the network decided this. Both are published together."


class DecisionFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, label="State")
    kind = forms.ChoiceField(required=False, label="Kind of decision")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any state"), *DecisionState.choices]
        self.fields["kind"].choices = [("", "Any kind"), *DecisionKind.choices]


class DecisionRecordForm(forms.Form):
    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Involvement network",
        error_messages={"required": "Choose the involvement network that decided."},
    )
    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="What was decided",
        help_text=(
            "Decisions to request information, to refer a report or recommendation, and to "
            "refer a matter to the committee are recorded when they are carried out."
        ),
        error_messages={"required": "Choose what kind of decision it was."},
    )
    decided_on = forms.DateField(
        label="Date of the decision",
        help_text="For example, 2026-11-27.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the decision.",
            "invalid": "Enter a real date, for example 2026-11-27.",
        },
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="The decision",
        help_text=STATEMENT_HELP,
        error_messages={"required": "Enter the decision."},
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Reasons",
        help_text=REASONS_HELP + " You can add them later, before publishing.",
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = networks
        only = list(networks[:2])
        if len(only) == 1:
            self.fields["body"].initial = only[0].pk
        self.fields["kind"].choices = [
            (value, label)
            for value, label in DecisionKind.choices
            if value not in RECORDED_BY_SERVICES
        ]


class DecisionStatementForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="The decision",
        help_text=STATEMENT_HELP,
        error_messages={"required": "Enter the decision."},
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        label="Reasons",
        help_text=REASONS_HELP,
    )


class DecisionSetAsideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is this decision set aside?",
        help_text="For example, it was recorded twice. The record keeps the reason.",
        error_messages={"required": "Enter why the decision is set aside."},
    )
