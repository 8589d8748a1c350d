"""A health body's public record, and the server-rendered SVG chart of it.

Only requests and recommendations of published topics count (the selectors in
`scrutiny.casework.publication`). Figures (see docs/public-site.md), all counted by the
database in a fixed number of aggregate queries:

- received: issued requests and recommendations addressed to the body;
- answered on time / late: judged on the *first* answer to each, the root of its chain of
  corrections (a later correction does not make an on-time answer late, nor a late one on time;
  further information is not an answer);
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

from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from scrutiny.casework.models import (
    RecommendationOutcome,
    RecommendationState,
    RequestState,
    ResponseKind,
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
    # {working days late: how many late first answers}, counted in SQL
    late_histogram: dict[int, int] = field(default_factory=dict)
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
        """The median of the late first answers' working days late, read off the histogram."""
        n = sum(self.late_histogram.values())
        if not n:
            return None
        middle = ((n - 1) // 2, n // 2)  # the two middle positions (equal when n is odd)
        found, seen = [], 0
        for days in sorted(self.late_histogram):
            count = self.late_histogram[days]
            found.extend(days for position in middle if seen <= position < seen + count)
            seen += count
        return statistics.mean(found)

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


def _with_first_answer(qs):
    """`qs` joined to each item's first answer: the answer that supersedes nothing, the root of
    its chain of corrections (one per item, a database constraint), so the join adds no rows."""
    return qs.annotate(
        first=FilteredRelation(
            "responses",
            condition=Q(responses__kind=ResponseKind.ANSWER, responses__supersedes__isnull=True),
        )
    )


def _tallies(qs, *, today: dt.date, open_state: str, extra=None):
    """Per recipient: received, first answered on time / late, withdrawn before an answer,
    overdue with none — one GROUP BY over `qs` with conditional counts."""
    no_answer = Q(first__id__isnull=True)
    return (
        _with_first_answer(qs)
        .order_by()
        .values("recipient_id")
        .annotate(
            received=Count("pk"),
            on_time=Count("pk", filter=Q(first__on_time=True)),
            late=Count("pk", filter=Q(first__on_time=False)),
            withdrawn=Count("pk", filter=no_answer & Q(state=WITHDRAWN)),
            overdue=Count(
                "pk", filter=no_answer & Q(state=open_state, due_on__isnull=False, due_on__lt=today)
            ),
            **(extra or {}),
        )
    )


def _late_histogram(qs):
    """(recipient, working days late, how many) of the late first answers."""
    return (
        _with_first_answer(qs)
        .filter(first__on_time=False)
        .order_by()
        .values_list("recipient_id", "first__working_days_late")
        .annotate(n=Count("pk"))
    )


def records_for(body_ids, *, today: dt.date | None = None) -> dict[int, Record]:
    """{body id: Record} for every body in `body_ids`, in four aggregate queries whatever the
    data (two GROUP BYs and two histograms; nothing is counted in Python)."""
    today = today or timezone.localdate()
    body_ids = list(body_ids)
    records = {pk: Record() for pk in body_ids}
    requests = requests_public().filter(recipient__in=body_ids)
    recs = recommendations_public().filter(recipient__in=body_ids)
    outcome_counts = {
        f"outcome_{value}": Count(
            "pk", filter=Q(state=RecommendationState.RESPONDED, outcome=value)
        )
        for value in RecommendationOutcome.values
    }
    for row in _tallies(requests, today=today, open_state=RequestState.ISSUED):
        _add(records[row["recipient_id"]], row)
        records[row["recipient_id"]].requests_received += row["received"]
    for row in _tallies(
        recs, today=today, open_state=RecommendationState.ISSUED, extra=outcome_counts
    ):
        record = records[row["recipient_id"]]
        _add(record, row)
        record.recommendations_received += row["received"]
        for value in RecommendationOutcome.values:
            record.outcomes[value] += row[f"outcome_{value}"]
    for qs in (requests, recs):
        for recipient, days, n in _late_histogram(qs):
            histogram = records[recipient].late_histogram
            histogram[days] = histogram.get(days, 0) + n
    return records


def _add(record: Record, row: dict) -> None:
    record.answered_on_time += row["on_time"]
    record.answered_late += row["late"]
    record.withdrawn_unanswered += row["withdrawn"]
    record.overdue_unanswered += row["overdue"]


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
