"""A health body's public record, row by row (`scrutiny.casework.body_asks`): the filter form
the body's page and its downloads share, the page of rows with their published documents, and
the same rows as open data (docs/open-data.md, "A health body's record")."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q

from scrutiny.casework import body_asks
from scrutiny.casework.publication import attachments_public
from scrutiny.web.public.feeds import ASK_FIELDS, Dataset, ask_record
from workflows.errors import InvalidInput

ROWS_PER_PAGE = 25


class RecordFilterForm(forms.Form):
    state = forms.ChoiceField(label="Status", required=False)
    year = forms.TypedChoiceField(label="Year sent", required=False, coerce=int, empty_value=None)
    late = forms.BooleanField(label="Late only (answered late, or overdue)", required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Any status"), *body_asks.STATE_CHOICES]
        self.fields["year"].choices = [("", "Any year")] + [(str(y), str(y)) for y in years]

    def filters(self) -> dict:
        """The valid filters (an invalid one is reported on the page and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "state": data.get("state") or "",
            "year": data.get("year"),
            "late_only": bool(data.get("late")),
        }


@dataclass
class RecordPage:
    form: RecordFilterForm
    page: Page
    rows: list  # (AskRow, [AttachmentPublication])
    query_string: str
    filtered: bool


def _documents(rows) -> dict:
    """{(kind, id): [published documents]} for the rows shown: one query."""
    reqs = [r.pk for r in rows if r.kind == body_asks.REQUEST]
    recs = [r.pk for r in rows if r.kind == body_asks.RECOMMENDATION]
    if not rows:
        return {}
    found = {}
    published = (
        attachments_public()
        .filter(
            Q(attachment__response__information_request_id__in=reqs)
            | Q(attachment__response__recommendation_id__in=recs)
        )
        .select_related("attachment__response")
        .order_by("attachment_id")
    )
    for pub in published:
        response = pub.attachment.response
        key = (
            (body_asks.REQUEST, response.information_request_id)
            if response.information_request_id
            else (body_asks.RECOMMENDATION, response.recommendation_id)
        )
        found.setdefault(key, []).append(pub)
    return found


def record_page(request, body) -> RecordPage:
    """The page of the body's record that `request` asks for (`?state=&year=&late=&rows=`)."""
    form = RecordFilterForm(
        request.GET if any(k in request.GET for k in ("state", "year", "late")) else None,
        years=body_asks.years_issued(body_id=body.pk),
    )
    qs = body_asks.asks_public(body_id=body.pk, **form.filters())
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("rows"))
    rows = body_asks.rows(page.object_list)
    docs = _documents(rows)
    params = request.GET.copy()
    params.pop("rows", None)
    return RecordPage(
        form=form,
        page=page,
        rows=[(r, docs.get((r.kind, r.pk), [])) for r in rows],
        query_string=params.urlencode(),
        filtered=any(params.get(k) for k in ("state", "year", "late")),
    )


def download_filters(params) -> dict:
    """The filters of a download (the page's, by the same names); a bad one is a 400."""
    state = params.get("state", "")
    if state and state not in dict(body_asks.STATE_CHOICES):
        raise InvalidInput(
            f"Unknown status '{state}': use one of {', '.join(dict(body_asks.STATE_CHOICES))}."
        )
    year = params.get("year") or None
    if year is not None:
        if not year.isdigit() or not 1900 <= int(year) <= 2999:
            raise InvalidInput("The year must be a year, like 2027.")
        year = int(year)
    late = params.get("late", "")
    if late not in ("", "on", "true", "1"):
        raise InvalidInput("late is 'true' (late only) or absent.")
    return {"state": state, "year": year, "late_only": bool(late)}


def record_dataset(body, filters: dict) -> Dataset:
    """The body's record as a dataset: the rows of its page, with the page's filters."""
    return Dataset(
        f"record-{body.slug}",
        f"The record of {body.name}",
        f"Every information request and recommendation of a published topic sent to "
        f"{body.name}, newest first.",
        ASK_FIELDS,
        lambda: (
            ask_record(row, body)
            for row in body_asks.rows(body_asks.asks_public(body_id=body.pk, **filters))
        ),
    )
