"""Staff forms: validate what was typed, keep it on error, and hand clean values to a service.

Domain errors from the services come back onto the form through `scrutiny.web.errors.form_view`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from scrutiny.casework.models import (
    CallInGround,
    CallInOutcome,
    Channel,
    HealthBodyPlan,
    Organisation,
    Partnership,
    RecommendationOutcome,
    RefusalGround,
    RequestState,
    Topic,
)
from scrutiny.casework.services.topics import Disposition, item_key
from scrutiny.casework.uploads import ALLOWED_DESCRIPTION, MAX_UPLOAD_BYTES
from scrutiny.web.errors import place_errors

MB = MAX_UPLOAD_BYTES // (1024 * 1024)


class ExpectedStateMixin(forms.Form):
    """The state the user saw; if the case has moved since, the service says so."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)


class NoteForm(ExpectedStateMixin):
    note = forms.CharField(
        label="Note for the record",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the meeting and minute that decided this.",
    )


class ReasonForm(ExpectedStateMixin):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This reason can be published.",
        error_messages={"required": "Enter the reason."},
    )


class TopicRaiseForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter a title."}, label="Title"
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a summary."},
        help_text="What the concern is and what residents told you.",
    )
    owner = forms.ChoiceField(
        label="Whose topic is it?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a partnership or one body."},
        help_text="A joint topic is shared by every body of the partnership.",
    )
    lead_body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead body",
        error_messages={"required": "Choose the lead body."},
    )
    source = forms.ChoiceField(
        choices=[c for c in Topic.Source.choices if c[0] != Topic.Source.RESIDENT_SUGGESTION],
        initial=Topic.Source.OFFICER,
        widget=forms.RadioSelect,
        label="Where did it come from?",
    )
    committee = forms.TypedChoiceField(
        label="Committee that receives the referral",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Only for a referral: one of the partnership's scrutiny committees.",
    )
    health_bodies = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Health bodies concerned",
    )

    def __init__(self, *args, bodies, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"p{p.pk}", f"Joint: {p.name}") for p in partnerships]
        choices += [(f"b{b.pk}", f"Only {b.name}") for b in bodies]
        self.fields["owner"].choices = choices
        # Required for a referral only: neither "(optional)" nor always required.
        self.fields["committee"].conditional = True
        groups = [
            (p.name, [(c.pk, c.name) for c in p.scrutiny_committees.all()]) for p in partnerships
        ]
        groups = [(name, options) for name, options in groups if options]
        self.fields["committee"].choices = [("", "Choose a committee"), *groups]
        committees = {pk for _, options in groups for pk, _ in options}
        if len(committees) == 1:
            self.fields["committee"].initial = next(iter(committees))
        self._committees = {c.pk: c for p in partnerships for c in p.scrutiny_committees.all()}
        party_ids = {b.pk for b in bodies}
        for p in partnerships:
            party_ids |= p.party_ids()
        self.fields["lead_body"].queryset = Organisation.objects.filter(pk__in=party_ids)
        self._partnerships = {p.pk: p for p in partnerships}
        self._bodies = {b.pk: b for b in bodies}

    def committee_object(self):
        """The committee chosen to receive a referral (the service checks it is the topic's
        partnership's), or None."""
        return self._committees.get(self.cleaned_data.get("committee"))

    def owner_objects(self):
        value = self.cleaned_data["owner"]
        pk = int(value[1:])
        if value[0] == "p":
            return self._partnerships[pk], None
        return None, self._bodies[pk]


class PrioritiseForm(ExpectedStateMixin):
    note = forms.CharField(
        label="Note for the record", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Always shown (no script needed): the service requires it only below the threshold.
    below_threshold_reason = forms.CharField(
        label="If the scores are below the threshold: why prioritise it anyway?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    EXTRA_FIELDS = ["below_threshold_reason", "note"]

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        choices = [(str(n), str(n)) for n in range(framework.scale_max + 1)]
        for criterion in framework.criteria:
            self.fields[f"score_{criterion['key']}"] = forms.TypedChoiceField(
                label=criterion["label"],
                help_text=criterion.get("question", ""),
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={
                    "required": f"Score '{criterion['label']}' from 0 to {framework.scale_max}."
                },
            )
        self.fields["below_threshold_reason"].help_text = (
            f"Needed only when the total is below {framework.threshold} out of "
            f"{framework.max_total}: for example, a statutory consultation or the committee's "
            "resolution."
        )
        self.order_fields([f"score_{c['key']}" for c in framework.criteria] + self.EXTRA_FIELDS)

    def scores(self) -> dict[str, int]:
        return {c["key"]: self.cleaned_data[f"score_{c['key']}"] for c in self.framework.criteria}

    def score_fields(self):
        return [self[f"score_{c['key']}"] for c in self.framework.criteria]


class ScoresCorrectForm(PrioritiseForm):
    """Correct a prioritised topic's scores: a reason for the correction is required."""

    reason = forms.CharField(
        label="Why are the scores being corrected?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for the correction."},
        help_text="Recorded on the topic's timeline with the scores before and after.",
    )
    EXTRA_FIELDS = ["reason", "below_threshold_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]


class ChooseItemsForm(NoteForm):
    """Which drafted requests (or agreed recommendations) to issue now."""

    items = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one to issue."},
    )

    def __init__(self, *args, items=(), label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].label = label
        self.fields["items"].choices = [(i.pk, _item_choice(i)) for i in items]
        self.order_fields(["items", "note"])


def _item_choice(item) -> str:
    return f"To {item.recipient}: {item.body_text[:120]}"


class RequestEditForm(forms.Form):
    recipient = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY),
        label="Which health body are you asking?",
        error_messages={"required": "Choose a health body."},
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What information do you need?",
        error_messages={"required": "Enter the question."},
    )


class RecommendationEditForm(forms.Form):
    recipient = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY),
        label="Which health body is it addressed to?",
        error_messages={"required": "Choose a health body."},
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Recommendation",
        error_messages={"required": "Enter the recommendation."},
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Why we recommend it"
    )


class ConfirmForm(forms.Form):
    """A button that confirms (deleting a draft): nothing to type."""


class MeetingAgreementForm(forms.Form):
    agenda_item = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Which minuted decision agreed it?",
        error_messages={"required": "Choose the meeting item whose minutes record the decision."},
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [(pk, label) for pk, label in items]


class ChairsActionForm(forms.Form):
    reason = forms.CharField(
        label="Why is this agreed by chair's action rather than at a meeting?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for the chair's action."},
        help_text="Recorded with your name on the topic's timeline; it can be published.",
    )


def health_bodies_field(label):
    return forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY),
        widget=forms.CheckboxSelectMultiple,
        label=label,
        error_messages={"required": "Choose at least one health body."},
        help_text="One draft is made for each health body you choose.",
    )


class RequestDraftForm(forms.Form):
    recipients = health_bodies_field("Which health bodies are you asking?")
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What information do you need?",
        error_messages={"required": "Enter the question."},
    )


class NoteToBodyForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your note to the health body",
        help_text="The body's responders see it in the conversation on their page. Internal "
        "notes on the case file never show there.",
        error_messages={"required": "Enter the note."},
    )


class RecommendationDraftForm(forms.Form):
    recipients = health_bodies_field("Which health bodies is it addressed to?")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Recommendation",
        error_messages={"required": "Enter the recommendation."},
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Why we recommend it"
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


OFFICER_CHANNELS = [
    (Channel.LETTER, Channel.LETTER.label),
    (Channel.EMAIL, Channel.EMAIL.label),
    (Channel.MEETING, Channel.MEETING.label),
]


class ResponseRecordForm(forms.Form):
    """A response that arrived by letter, e-mail or at a meeting, recorded for the health body."""

    channel = forms.ChoiceField(
        choices=OFFICER_CHANNELS,
        widget=forms.RadioSelect,
        label="How did it arrive?",
        error_messages={"required": "Choose how the response arrived."},
    )
    received_on = forms.DateField(
        label="Date received",
        help_text="For example, 2026-11-27.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date it was received.",
            "invalid": "Enter a real date, for example 2026-11-27.",
        },
    )
    outcome = forms.ChoiceField(widget=forms.RadioSelect, label="Outcome")
    refusal_ground = forms.ChoiceField(
        choices=[("", "Not refused"), *RefusalGround.choices],
        required=False,
        label="Ground for refusing",
        help_text="Only when the request was refused.",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="The response",
        error_messages={"required": "Enter the response."},
    )
    attachments = MultipleFileField(
        required=False,
        label="Attachments",
        help_text=f"{ALLOWED_DESCRIPTION}; each smaller than {MB} MB.",
    )

    kind = forms.ChoiceField(
        choices=[
            ("correction", "A correction of the answer: it replaces the current answer"),
            ("further_information", "Further information: added beside the current answer"),
        ],
        widget=forms.RadioSelect,
        label="This request already has an answer. What is this response?",
        error_messages={
            "required": "Choose whether this corrects the answer (with a reason) or adds "
            "further information."
        },
    )
    correction_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for the correction",
        help_text="Shown on both the corrected answer and the correction.",
    )

    ACTION_ROWS = 3

    def __init__(self, *args, subject_kind: str, current_answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_kind = subject_kind
        self.current_answer = current_answer
        if current_answer is None:
            del self.fields["kind"], self.fields["correction_reason"]
        else:
            noun = "request" if subject_kind == "request" else "recommendation"
            self.fields["kind"].label = (
                f"This {noun} already has an answer, received "
                f"{current_answer.received_at:%-d %b %Y}. What is this response?"
            )
            self.fields["outcome"].required = False
        if subject_kind == "request":
            self.fields["outcome"].choices = [
                (RequestState.ANSWERED, "Answered"),
                (RequestState.PARTIALLY_ANSWERED, "Partially answered"),
                (RequestState.REFUSED, "Refused"),
            ]
        else:
            del self.fields["refusal_ground"]
            self.fields["outcome"].choices = RecommendationOutcome.choices
            for i in range(1, self.ACTION_ROWS + 1):
                self.fields[f"action_{i}"] = forms.CharField(
                    required=False, label=f"Action {i}", max_length=500
                )
                self.fields[f"owner_{i}"] = forms.CharField(
                    required=False, label=f"Owner of action {i}", max_length=200
                )
                self.fields[f"target_{i}"] = forms.DateField(
                    required=False,
                    label=f"Target date of action {i}",
                    widget=forms.DateInput(attrs={"type": "date"}),
                    error_messages={"invalid": "Enter a real date, for example 2027-03-01."},
                )
        self.fields["outcome"].error_messages["required"] = "Choose the outcome."

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        return day

    def clean(self):
        data = super().clean()
        further = data.get("kind") == "further_information"
        if further:
            for name in ("outcome", "refusal_ground"):
                if data.get(name):
                    self.add_error(
                        name,
                        "Further information has no outcome of its own: to change the outcome, "
                        "choose a correction.",
                    )
            return data
        if self.current_answer is not None and not data.get("outcome"):
            self.add_error("outcome", "Choose the outcome.")
        if data.get("kind") == "correction" and not (data.get("correction_reason") or "").strip():
            self.add_error("correction_reason", "Give the reason for the correction.")
        if self.subject_kind == "request":
            refused = data.get("outcome") == RequestState.REFUSED
            if refused and not data.get("refusal_ground"):
                self.add_error("refusal_ground", "Give the ground for refusing.")
            if not refused and data.get("refusal_ground"):
                self.add_error("refusal_ground", "A ground is given only for a refusal.")
        else:
            for i in range(1, self.ACTION_ROWS + 1):
                parts = [data.get(f"action_{i}"), data.get(f"owner_{i}"), data.get(f"target_{i}")]
                if any(parts) and not all(parts):
                    self.add_error(
                        f"action_{i}", f"Action {i} needs an action, an owner and a target date."
                    )
        return data

    def received_at(self) -> dt.datetime:
        day = self.cleaned_data["received_on"]
        now = timezone.localtime()
        if day == now.date():
            return now
        return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))

    def action_plan(self) -> list[dict]:
        if self.subject_kind == "request":
            return []
        rows = []
        for i in range(1, self.ACTION_ROWS + 1):
            action = self.cleaned_data.get(f"action_{i}")
            if action:
                rows.append(
                    {
                        "action": action,
                        "owner": self.cleaned_data[f"owner_{i}"],
                        "target_date": self.cleaned_data[f"target_{i}"],
                    }
                )
        return rows

    def main_fields(self):
        names = ("kind", "correction_reason", "channel", "received_on", "outcome")
        return [self[n] for n in names if n in self.fields] + [
            self[n] for n in ("refusal_ground", "text", "attachments") if n in self.fields
        ]

    def add_domain_error(self, exc):
        """The service names the received time `received_at`; this form asks for a date."""
        errors = dict(exc.field_errors or {})
        if "received_at" in errors:
            errors["received_on"] = errors.pop("received_at")
        place_errors(self, type(exc)(exc.message, field_errors=errors))

    def service_arguments(self) -> dict:
        """What the service is told: an answer, a correction of the current one, or further
        information beside it."""
        kind = self.cleaned_data.get("kind")
        if kind == "further_information":
            return {"kind": "further_information"}
        if kind == "correction":
            return {
                "supersedes": self.current_answer,
                "correction_reason": self.cleaned_data["correction_reason"],
            }
        return {}

    def action_rows(self):
        if self.subject_kind == "request":
            return []
        return [
            (i, self[f"action_{i}"], self[f"owner_{i}"], self[f"target_{i}"])
            for i in range(1, self.ACTION_ROWS + 1)
        ]


class ConcludeForm(ExpectedStateMixin):
    """The outcome summary and, for each request or recommendation still open, what happens to
    it: withdrawn, or kept open for monitoring with a reason (GOV.UK radios, no script)."""

    outcome_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Outcome summary",
        help_text="What was asked, what came back, what was recommended and what happens next. "
        "Residents see it once the topic is published.",
        error_messages={"required": "Enter the outcome summary."},
    )

    def __init__(self, *args, open_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.open_items = list(open_items)
        for item in self.open_items:
            key = item_key(item)
            what = f"{item.LABEL} to {item.recipient}"
            status = f"due {item.due_on:%-d %b %Y}" if item.due_on else "a draft, never issued"
            choices = [(Disposition.WITHDRAW, "Withdraw it (the health body is told)")]
            if item.state == "issued":
                choices.append((Disposition.MONITOR, "Keep monitoring it: it stays open"))
            self.fields[key] = forms.ChoiceField(
                choices=choices,
                widget=forms.RadioSelect,
                label=f"{what} ({status}): {item.body_text[:80]}",
                error_messages={
                    "required": f"Choose what happens to the {item.LABEL.lower()} to "
                    f"{item.recipient}."
                },
            )
            self.fields[f"{key}-reason"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=f"Reason for the {item.LABEL.lower()} to {item.recipient}",
                help_text="Required to keep monitoring it; for a withdrawal, it is the "
                "withdrawal's reason.",
            )

    def dispositions(self) -> dict[str, tuple[str, str]]:
        return {
            item_key(item): (
                self.cleaned_data.get(item_key(item)) or "",
                self.cleaned_data.get(f"{item_key(item)}-reason") or "",
            )
            for item in self.open_items
        }


class PositionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Body",
        error_messages={"required": "Choose your body."},
    )
    position = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="This body's position",
        error_messages={"required": "Enter the body's position."},
    )
    recommendation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="This body's own recommendation",
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = bodies
        if bodies.count() == 1:
            self.fields["organisation"].initial = bodies.first()


class PositionAgreeForm(forms.Form):
    """How the body agreed its proposed position: by its chair, or at a minuted meeting."""

    how = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="How did the body agree this position?",
        error_messages={"required": "Choose how the body agreed its position."},
    )
    item = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="The minuted decision",
        help_text="Needed for a position agreed at a meeting.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Note for the record",
    )

    def __init__(self, *args, chair: bool, items, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if chair:
            choices.append(("chair", "By my chair's action, as the body's chair"))
        if items:
            choices.append(("meeting", "At a meeting (a minuted decision)"))
        self.fields["how"].choices = choices
        if len(choices) == 1:
            self.fields["how"].initial = choices[0][0]
        self.fields["item"].conditional = True
        self.fields["item"].choices = [("", "Choose a minuted decision")] + [
            (i.pk, f"{i.meeting}, item {i.position}: {i.title}") for i in items
        ]
        if not items:
            del self.fields["item"]


class ReferralAcknowledgeForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Acknowledgement",
        help_text="What the committee will do with the referral.",
        error_messages={"required": "Enter the acknowledgement."},
    )


class ReferralUpdateForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Update for the involvement network",
        error_messages={"required": "Enter the update."},
    )


class DashboardFilterForm(forms.Form):
    SORTS = [
        ("due", "Due date, soonest first"),
        ("-due", "Due date, latest first"),
        ("topic", "Topic title"),
        ("kind", "Kind of item"),
    ]
    show = forms.ChoiceField(required=False, label="Show")
    body = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), required=False)
    state = forms.ChoiceField(required=False, label="Topic state")
    health_body = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False, label="Sort by")

    def __init__(self, *args, bodies, partnerships, health_bodies, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["partnership"].queryset = partnerships
        self.fields["health_body"].queryset = health_bodies
        self.fields["state"].choices = [("", "Any state"), *Topic._meta.get_field("state").choices]
        self.fields["show"].choices = [("", "Everything"), *categories]
        for name in ("body", "partnership", "health_body"):
            self.fields[name].empty_label = "Any"


class TopicFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search titles and summaries")
    state = forms.ChoiceField(required=False, label="State")
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), required=False)

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any state"), *Topic._meta.get_field("state").choices]
        self.fields["partnership"].queryset = partnerships
        self.fields["partnership"].empty_label = "Any"


# --- Enter and View ----------------------------------------------------------------------------


def _date_field(label: str, *, required: bool = True, help_text: str = "For example, 2026-11-27."):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a real date, for example 2026-11-27.",
        },
    )


def _text_field(label: str, *, required: bool = True, rows: int = 4, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter the {label.lower()}."},
    )


class VisitPlanForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=None,
        label="Premises",
        empty_label="Choose the premises",
        error_messages={"required": "Choose the premises to visit."},
    )
    planned_for = _date_field("Date of the visit")
    purpose = _text_field(
        "Purpose", help_text="Why the network decided to enter and view (published with it)."
    )
    team = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Visit team",
        help_text="Only representatives authorised on the date of the visit can be named.",
    )

    def __init__(self, *args, sites, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["team"].queryset = representatives


class VisitTeamForm(forms.Form):
    team = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Visit team",
        help_text="Only representatives authorised on the date of the visit can be named.",
    )

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = representatives


class VisitConfirmForm(forms.Form):
    note = forms.CharField(
        label="Note for the record",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitDateForm(forms.Form):
    on = _date_field("Date")


class VisitRescheduleForm(forms.Form):
    planned_for = _date_field("New date of the visit")


class VisitReasonForm(forms.Form):
    reason = _text_field("Reason")


class VisitUnannouncedForm(forms.Form):
    reason = _text_field(
        "Reason",
        help_text="Why the provider is not told the date beforehand (for example, concerns "
        "about care at night).",
    )


class VisitCarryOutForm(forms.Form):
    on = _date_field("Date of the visit")
    findings = _text_field("Findings", required=False, rows=6, help_text="What the team saw.")


class VisitReportForm(forms.Form):
    report = _text_field("Report", rows=12)
    findings = _text_field("Findings", required=False, rows=6)


class VisitRecommendationForm(forms.Form):
    text = _text_field("Recommendation")
    rationale = _text_field("Why", required=False, rows=3)


class VisitProviderTextForm(forms.Form):
    text = _text_field("Text", rows=8)
    on = _date_field("Date received")


class SafeguardingConcernForm(forms.Form):
    raised_by = forms.CharField(
        label="Raised by", max_length=200, error_messages={"required": "Enter who raised it."}
    )
    found_on = _date_field("Date found")
    description = _text_field("What was seen or heard")
    referred_to = forms.CharField(
        label="Referred to",
        max_length=200,
        help_text="For example, the council's adult safeguarding team.",
        error_messages={"required": "Enter whom it was referred to."},
    )
    referred_on = _date_field("Date referred")


class SiteForm(forms.Form):
    body = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY),
        label="Health body",
        empty_label="Choose the health body",
        error_messages={"required": "Choose the health body."},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the name."}
    )
    address = _text_field("Address", rows=3)
    ods_site_code = forms.CharField(
        label="ODS site code", max_length=10, required=False, help_text="If it has one."
    )


class RepresentativeForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the name."}
    )
    authorised_on = _date_field("Date authorised")


# --- Service-change consultations and the health-body register (docs/consultations.md) --------


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": f"Enter {label.lower()}.", "invalid": "Enter a real date."},
        **kwargs,
    )


class ConsultationForm(forms.Form):
    body = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.HEALTH_BODY),
        label="Health body proposing the change",
        error_messages={"required": "Choose the health body."},
    )
    committee = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Committee consulted",
        error_messages={"required": "Choose the committee."},
    )
    title = forms.CharField(max_length=180, label="What the proposal is called")
    what_changes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What changes")
    who_is_affected = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Who is affected"
    )
    received_on = _date_field("Date received")
    comments_due_on = _date_field("Date comments are due")
    proposed_decision_on = _date_field("Date the body proposes to decide")
    document_title = forms.CharField(max_length=200, required=False, label="Document (title)")
    document_url = forms.URLField(
        max_length=500, required=False, label="Document (link)", assume_scheme="https"
    )

    def __init__(self, *args, committees, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        if bodies is not None:  # a responder submits for their own body only
            self.fields["body"].queryset = bodies


class ConsultationViewForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=None,
        label="The minuted agenda item",
        error_messages={"required": "Choose the agenda item whose decision is the view."},
    )
    substantial = forms.TypedChoiceField(
        choices=[("yes", "Yes: a substantial variation"), ("no", "No: not substantial")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Did the committee find the proposal a substantial variation?",
        error_messages={"required": "Choose yes or no."},
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why")

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.meeting}: {i.position}. {i.title}"


class ConsultationCommentsForm(forms.Form):
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="Comments")
    on = _date_field("Date sent")


class ConsultationDecisionForm(forms.Form):
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision")
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Reasons")
    on = _date_field("Date decided")


class CallInRequestForm(forms.Form):
    requested_by_name = forms.CharField(max_length=200, label="Who asked")
    requested_by_committee = forms.BooleanField(
        required=False, label="The committee itself asked (or referred, before 31 January 2024)"
    )
    requested_on = _date_field("Date of the request")
    ground = forms.ChoiceField(choices=CallInGround.choices, label="Ground")
    grounds = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Grounds given")


class CallInAnswerForm(forms.Form):
    called_in = forms.TypedChoiceField(
        choices=[("yes", "Called in (a direction)"), ("no", "Not called in")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="The Secretary of State's answer",
    )
    on = _date_field("Date of the answer")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note")


class CallInOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=CallInOutcome.choices, label="Outcome")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What was decided")
    on = _date_field("Date of the decision")


class HealthBodyPlanForm(forms.Form):
    kind = forms.ChoiceField(choices=HealthBodyPlan.Kind.choices, label="Kind")
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    url = forms.URLField(max_length=500, required=False, label="Link", assume_scheme="https")
    published_on = _date_field("Date published", required=False)
    period_start = _date_field("Period from", required=False)
    period_end = _date_field("Period to", required=False)


class BoardFeedForm(forms.Form):
    file = forms.FileField(label="Calendar file (.ics) of the body's board meetings")
