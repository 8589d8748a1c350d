"""A responder's answer to a request for information, or response to a recommendation."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from scrutiny.casework.models import (
    ImplementationStatus,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
)
from scrutiny.casework.uploads import ALLOWED_DESCRIPTION
from scrutiny.web.staff.forms import MB, MultipleFileField

MAX_ACTION_ROWS = 30


class AnswerForm(forms.Form):
    """What the body says, with documents; for a recommendation, an action plan of any number
    of rows, one more added by "Add another action" (no JavaScript needed)."""

    outcome = forms.ChoiceField(widget=forms.RadioSelect)
    refusal_ground = forms.ChoiceField(
        choices=[("", "Choose a ground"), *RefusalGround.choices],
        required=False,
        label="Ground for refusing",
        help_text="Only when you refuse the request.",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter your answer."},
    )
    attachments = MultipleFileField(
        required=False,
        label="Documents (optional)",
        help_text=f"{ALLOWED_DESCRIPTION}; each smaller than {MB} MB.",
    )
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, kind: str, rows: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "request":
            self.fields["outcome"].label = "Your answer"
            self.fields["outcome"].choices = [
                (RequestState.ANSWERED, "Answered in full"),
                (RequestState.PARTIALLY_ANSWERED, "Partially answered"),
                (RequestState.REFUSED, "Refused"),
            ]
            self.fields["text"].label = "The answer"
            self.row_count = 0
        else:
            del self.fields["refusal_ground"]
            self.fields["outcome"].label = "Your response to the recommendation"
            self.fields["outcome"].choices = [
                (RecommendationOutcome.ACCEPTED, "Accepted"),
                (RecommendationOutcome.PARTIALLY_ACCEPTED, "Partially accepted"),
                (RecommendationOutcome.REJECTED, "Rejected"),
                (RecommendationOutcome.NOTED, "Noted"),
            ]
            self.fields["text"].label = "Your response, with your reasons"
            self.row_count = max(1, min(rows, MAX_ACTION_ROWS))
            self.fields["rows"].initial = self.row_count
            for i in range(1, self.row_count + 1):
                self.fields[f"action_{i}"] = forms.CharField(
                    required=False, label="What will be done", max_length=500
                )
                self.fields[f"owner_{i}"] = forms.CharField(
                    required=False, label="Who owns it", max_length=200
                )
                self.fields[f"target_{i}"] = forms.DateField(
                    required=False,
                    label="Target date",
                    help_text="For example, 2027-03-01.",
                    widget=forms.DateInput(attrs={"type": "date"}),
                    error_messages={"invalid": "Enter a real date, for example 2027-03-01."},
                )
        self.fields["outcome"].error_messages["required"] = "Choose your answer."

    @property
    def main_fields(self):
        names = ["outcome", "refusal_ground", "text", "attachments"]
        return [self[n] for n in names if n in self.fields]

    @property
    def action_rows(self):
        return [
            (i, self[f"action_{i}"], self[f"owner_{i}"], self[f"target_{i}"])
            for i in range(1, self.row_count + 1)
        ]

    def clean(self):
        data = super().clean()
        if self.kind == "request":
            refused = data.get("outcome") == RequestState.REFUSED
            if refused and not data.get("refusal_ground"):
                self.add_error("refusal_ground", "Choose the ground for refusing.")
            if not refused and data.get("refusal_ground"):
                self.add_error("refusal_ground", "Give a ground only when you refuse.")
            return data
        today = timezone.localdate()
        for i in range(1, self.row_count + 1):
            action, owner = data.get(f"action_{i}"), data.get(f"owner_{i}")
            target = data.get(f"target_{i}")
            if not (action or owner or target):
                continue
            if not action:
                self.add_error(f"action_{i}", f"Action {i}: say what will be done.")
            if not owner:
                self.add_error(f"owner_{i}", f"Action {i}: say who owns it.")
            if target is None and f"target_{i}" not in self.errors:
                self.add_error(f"target_{i}", f"Action {i}: enter a target date.")
            elif target is not None and target < today:
                self.add_error(f"target_{i}", f"Action {i}: the target date cannot be in the past.")
        return data

    def action_plan(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "action": data[f"action_{i}"],
                "owner": data[f"owner_{i}"],
                "target_date": data[f"target_{i}"].isoformat(),
            }
            for i in range(1, self.row_count + 1)
            if data.get(f"action_{i}")
        ]


class CorrectionForm(AnswerForm):
    """A correction of the current answer: the new answer in full, and why it corrects it."""

    correction_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you correcting the answer?",
        help_text="Shown with the corrected answer, to the officers and, once published, to "
        "the public.",
        error_messages={"required": "Say why you are correcting the answer."},
    )

    @property
    def main_fields(self):
        return [self["correction_reason"], *super().main_fields]


class ProgressForm(forms.Form):
    """How implementation of an accepted recommendation is going: one action, or the plan."""

    action = forms.ChoiceField(
        widget=forms.RadioSelect, label="Which action is this about?", required=False
    )
    status = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=ImplementationStatus.choices,
        label="How is it going?",
        error_messages={"required": "Choose how it is going."},
    )
    revised_date = forms.DateField(
        required=False,
        label="Revised date",
        help_text="Only when it has slipped: the new date. For example, 2027-06-30.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2027-06-30."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What has happened",
        required=False,
        help_text="The evidence: what was done, what is in the way.",
    )
    evidence = MultipleFileField(
        required=False,
        label="Evidence documents (optional)",
        help_text=f"{ALLOWED_DESCRIPTION}; each smaller than {MB} MB. Kept from the public "
        "unless an officer publishes them.",
    )

    def __init__(self, *args, actions=(), channels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = {str(a.pk): a for a in actions}
        self.fields["action"].choices = [
            *(
                (pk, f"{a.action} ({a.owner}, by {a.target_date:%-d %b %Y})")
                for pk, a in self.actions.items()
            ),
            ("", "The plan as a whole"),
        ]
        if channels:
            self.fields["channel"] = forms.ChoiceField(
                choices=channels,
                widget=forms.RadioSelect,
                label="How did the update arrive?",
                error_messages={"required": "Choose how the update arrived."},
            )

    def clean(self):
        data = super().clean()
        slipped = data.get("status") == ImplementationStatus.SLIPPED
        revised = data.get("revised_date")
        if slipped and revised is None and "revised_date" not in self.errors:
            self.add_error("revised_date", "Enter the revised date.")
        elif slipped and revised is not None and revised < timezone.localdate():
            self.add_error("revised_date", "The revised date cannot be in the past.")
        elif not slipped and revised is not None:
            self.add_error("revised_date", "Give a revised date only when it has slipped.")
        return data

    @property
    def chosen_action(self):
        return self.actions.get(self.cleaned_data.get("action") or "")


class VisitReplyForm(forms.Form):
    """The provider's factual-accuracy comments on a draft visit report, or its response to the
    published report."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter your reply."},
    )

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
