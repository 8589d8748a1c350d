"""A health body's public record, and the server-rendered SVG chart of it.

Only requests and recommendations of published topics count (the selectors in
`scrutiny.casework.publication`). Figures (see docs/public-site.md):

- received: issued requests and recommendations addressed to the body;
- answered on time / late: judged on the *first* answer to each (a later correction does not
  make an on-time answer late, nor a late one on time; further information is not an answer);
- overdue, no answer: still awaiting an answer after the due date;
- withdrawn before an answer: withdrawn by the scrutiny body (on its own or with its topic)
  before any answer came; never counted as overdue;
- share answered on time: on time ÷ (answered + overdue with no answer);
- median working days late: over the late first answers only;
- responses to recommendations: accepted, partially accepted, rejected, noted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import format_html, format_html_join

from scrutiny.casework.models import (
    ProviderResponse,
    RecommendationOutcome,
    RecommendationState,
    RequestState,
)
from scrutiny.casework.models.items import WITHDRAWN
from scrutiny.casework.publication import recommendations_public, requests_public


@dataclass
class Record:
    requests_received: int = 0
    recommendations_received: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    overdue_unanswered: int = 0
    withdrawn_unanswered: int = 0
    days_late: list[int] = field(default_factory=list)
    outcomes: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(RecommendationOutcome.values, 0)
    )

    @property
    def answered(self) -> int:
        return self.answered_on_time + self.answered_late

    @property
    def on_time_share(self) -> int | None:
        """Whole per cent answered on time of those answered or overdue; None when none is due."""
        due = self.answered + self.overdue_unanswered
        if not due:
            return None
        return round(100 * self.answered_on_time / due)

    @property
    def median_days_late(self) -> float | None:
        return statistics.median(self.days_late) if self.days_late else None

    @property
    def median_days_late_text(self) -> str:
        m = self.median_days_late
        if m is None:
            return "None late"
        m = int(m) if float(m).is_integer() else m
        return f"{m} working day{'' if m == 1 else 's'}"

    @property
    def on_time_share_text(self) -> str:
        share = self.on_time_share
        return "Nothing due yet" if share is None else f"{share}%"

    def rows(self) -> list[tuple[str, int]]:
        """The figures the chart draws, in order, with their labels."""
        return [
            ("Information requests received", self.requests_received),
            ("Recommendations received", self.recommendations_received),
            ("Answered on time", self.answered_on_time),
            ("Answered late", self.answered_late),
            ("Overdue, no answer yet", self.overdue_unanswered),
            ("Withdrawn before an answer", self.withdrawn_unanswered),
            *(
                (f"Recommendations {RecommendationOutcome(k).label.lower()}", v)
                for k, v in self.outcomes.items()
            ),
        ]


def records_for(body_ids, *, today: dt.date | None = None) -> dict[int, Record]:
    """{body id: Record} for every body in `body_ids`, in three queries whatever the data."""
    today = today or timezone.localdate()
    body_ids = list(body_ids)
    records = {pk: Record() for pk in body_ids}
    requests = requests_public().filter(recipient__in=body_ids)
    recs = recommendations_public().filter(recipient__in=body_ids)
    first = {
        (req_id, rec_id): (on_time, late)
        for req_id, rec_id, on_time, late in _first_responses(requests, recs)
    }

    def tally(record, key, state, due_on, open_state):
        answer = first.get(key)
        if answer is not None:
            on_time, late = answer
            if on_time:
                record.answered_on_time += 1
            else:
                record.answered_late += 1
                record.days_late.append(late)
        elif state == WITHDRAWN:
            record.withdrawn_unanswered += 1
        elif state == open_state and due_on is not None and due_on < today:
            record.overdue_unanswered += 1

    for pk, recipient, state, due_on in requests.values_list(
        "pk", "recipient_id", "state", "due_on"
    ):
        record = records[recipient]
        record.requests_received += 1
        tally(record, (pk, None), state, due_on, RequestState.ISSUED)
    for pk, recipient, state, due_on, outcome in recs.values_list(
        "pk", "recipient_id", "state", "due_on", "outcome"
    ):
        record = records[recipient]
        record.recommendations_received += 1
        tally(record, (None, pk), state, due_on, RecommendationState.ISSUED)
        if state == RecommendationState.RESPONDED and outcome in record.outcomes:
            record.outcomes[outcome] += 1
    return records


def _first_responses(requests, recs):
    """(request id, recommendation id, on_time, working_days_late) of the first answer to
    each public request and recommendation, earliest received first."""
    answers = ProviderResponse.objects.answers()
    rows = answers.filter(information_request__in=requests.values("pk")) | answers.filter(
        recommendation__in=recs.values("pk")
    )
    seen = set()
    for req_id, rec_id, on_time, late in rows.order_by("received_at", "id").values_list(
        "information_request_id", "recommendation_id", "on_time", "working_days_late"
    ):
        if (req_id, rec_id) in seen:
            continue
        seen.add((req_id, rec_id))
        yield req_id, rec_id, on_time, late


def health_body_record(body, *, today: dt.date | None = None) -> Record:
    return records_for([body.pk], today=today)[body.pk]


# --- The chart ------------------------------------------------------------------------------

BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 on white, above the 3:1 WCAG 1.4.11 asks of graphics
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"


def record_chart_svg(record: Record, *, chart_id: str = "record-chart", width: int = 640):
    """A horizontal bar chart of the record as an inline SVG (role="img", title and desc).

    Every bar carries its value as text, so the chart does not rely on colour; the same figures
    are in the table beside it."""
    rows = record.rows()
    label_w, value_w, bar_h, gap, top = 250, 40, 22, 10, 10
    plot_w = width - label_w - value_w - 10
    biggest = max((v for _, v in rows), default=0) or 1
    height = top + len(rows) * (bar_h + gap) + 10
    bars = []
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = round(plot_w * value / biggest)
        bars.append(
            (
                label_w - 8,
                round(y + bar_h * 0.7),
                label,
                label_w,
                y,
                w,
                bar_h,
                label_w + w + 6,
                round(y + bar_h * 0.7),
                value,
            )
        )
    desc = "; ".join(f"{label}: {value}" for label, value in rows)
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" fill="' + TEXT_COLOUR + '">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + BAR_COLOUR + '"></rect>'
        '<text x="{}" y="{}" fill="' + TEXT_COLOUR + '">{}</text>',
        bars,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="cf-chart" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'font-family="arial, sans-serif" font-size="15">'
        '<title id="{id}-title">Record in numbers</title>'
        '<desc id="{id}-desc">{desc}</desc>'
        '<line x1="{lw}" y1="{top}" x2="{lw}" y2="{bottom}" stroke="' + AXIS_COLOUR + '"></line>'
        "{body}</svg>",
        id=chart_id,
        w=width,
        h=height,
        desc=desc,
        lw=label_w,
        top=top - 4,
        bottom=height - 6,
        body=body,
    )
