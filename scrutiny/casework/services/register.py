"""The health-body register: plans and priorities, board meeting dates, the ODS import
(docs/health-body-register.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from scrutiny.casework import policy
from scrutiny.casework.models import BoardMeeting, HealthBodyPlan, Organisation
from workflows.audit import EventType, log_event
from workflows.errors import Forbidden, InvalidInput


def _keeper(by, body: Organisation) -> None:
    if not policy.can_keep_register_of(by, body):
        raise Forbidden("Only support officers, or the body's own responders, keep its register.")


def health_body_plan_save(
    *,
    by,
    body: Organisation,
    title: str,
    summary: str,
    kind: str = HealthBodyPlan.Kind.PLAN,
    url: str = "",
    published_on: dt.date | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    plan: HealthBodyPlan | None = None,
) -> HealthBodyPlan:
    """Record (or, with `plan`, correct) a plan or statement of priorities of `body`."""
    errors = {}
    title, summary, url = (title or "").strip(), (summary or "").strip(), (url or "").strip()
    if not title:
        errors["title"] = ["Enter the plan's title."]
    if not summary:
        errors["summary"] = ["Enter a short summary."]
    if kind not in HealthBodyPlan.Kind.values:
        errors["kind"] = ["Choose what kind of document it is."]
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = ["Enter a link beginning https:// or http://."]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = ["The period cannot end before it starts."]
    if plan is not None and plan.body_id != body.pk:
        errors["plan"] = ["That plan is another body's."]
    if errors:
        raise InvalidInput("Check the plan.", field_errors=errors)
    _keeper(by, body)
    with transaction.atomic():
        plan = plan or HealthBodyPlan(body=body)
        plan.kind, plan.title, plan.summary, plan.url = kind, title[:200], summary, url[:500]
        plan.published_on, plan.period_start, plan.period_end = (
            published_on,
            period_start,
            period_end,
        )
        plan.updated_by = by if getattr(by, "is_authenticated", False) else None
        plan.updated_at = timezone.now()
        plan.save()
        log_event(body, EventType.HEALTH_BODY_PLAN_SAVED, by=by, note=plan.title)
    return plan


def board_meeting_save(
    *, by, body: Organisation, title: str, starts_at: dt.datetime, location: str = "", url=""
) -> BoardMeeting:
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Enter the meeting's title."]
    if not isinstance(starts_at, dt.datetime):
        errors["starts_at"] = ["Enter when the meeting starts."]
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = ["Enter a link beginning https:// or http://."]
    if errors:
        raise InvalidInput("Check the board meeting.", field_errors=errors)
    _keeper(by, body)
    with transaction.atomic():
        meeting = BoardMeeting.objects.create(
            body=body,
            title=title[:200],
            starts_at=starts_at,
            location=(location or "").strip()[:300],
            url=(url or "")[:500],
        )
        log_event(body, EventType.BOARD_MEETING_SAVED, by=by, note=str(meeting))
    return meeting


# --- The ODS import ------------------------------------------------------------------------------
#
# The ODS legacy CSV downloads (etr.csv for NHS trusts, eccg/eicb for commissioners, epraccur
# for GP practices, …) have no header row; their first columns are, in order: Organisation
# Code, Name, National Grouping, High Level Health Geography, Address Lines 1-5, Postcode, Open
# Date, Close Date (dates CCYYMMDD). The ODS Data Search and Export tool's CSV has a header row
# instead. Both are read; docs/health-body-register.md gives the sources.

ODS_COLUMNS = (
    "code",
    "name",
    "national_grouping",
    "high_level_health_geography",
    "address_1",
    "address_2",
    "address_3",
    "address_4",
    "address_5",
    "postcode",
    "open_date",
    "close_date",
)
# Header names (lower case) the Data Search and Export CSV uses for the columns we read.
ODS_HEADERS = {
    "organisation code": "code",
    "code": "code",
    "name": "name",
    "postcode": "postcode",
    "post code": "postcode",
    "open date": "open_date",
    "close date": "close_date",
    "address line 4": "address_4",
    "address line 5": "address_5",
}
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
MAX_ODS_ROWS = 20000


@dataclass
class OdsImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (line number, message)


def _ods_date(value: str):
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (CCYYMMDD)")


def _ods_rows(text: str):
    """[(line number, {column: value})] of an ODS CSV, with or without its header row."""
    reader = csv.reader(io.StringIO(text))
    rows = [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    if not rows:
        return []
    first = [c.strip().lower() for c in rows[0][1]]
    if "name" in first and ("organisation code" in first or "code" in first):
        index = {ODS_HEADERS[h]: i for i, h in enumerate(first) if h in ODS_HEADERS}
        body = rows[1:]
    else:
        index = {name: i for i, name in enumerate(ODS_COLUMNS)}
        body = rows
    out = []
    for n, row in body:
        values = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        out.append((n, values))
    return out


_KEEP_UPPER = {"NHS", "ICB", "GP", "CCG", "PCT", "UK", "CIC"}
_LOWER = {"and", "of", "the", "for", "in", "on"}


def _ods_name(name: str) -> str:
    """ODS names are in capitals: 'NORTHBY HOSPITALS NHS TRUST' reads 'Northby Hospitals NHS
    Trust'. A name already in mixed case is kept."""
    if not name.isupper():
        return name
    words = []
    for i, word in enumerate(name.split()):
        if word in _KEEP_UPPER:
            words.append(word)
        elif i and word.lower() in _LOWER:
            words.append(word.lower())
        else:
            words.append(word.capitalize())
    return " ".join(words)


def _unique_slug(name: str, code: str, taken: set[str]) -> str:
    base = slugify(f"{name} {code}")[:70] or code.lower()
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base[:66]}-{n}", n + 1
    taken.add(slug)
    return slug


def health_bodies_import_ods(
    *,
    text: str,
    health_body_kind: str,
    area: str = "",
    by=None,
    today: dt.date | None = None,
) -> OdsImportResult:
    """Import the health bodies of an ODS CSV export as `health_body_kind` bodies of `area`.

    Idempotent on the ODS code: a body already known by its code keeps its slug, e-mail and
    everything officers added; only its name is brought up to date. Rows for organisations
    closed (a close date on or before `today`) are reported, not imported. Every row is checked
    first: if any is bad, nothing is written and the problems are returned (line by line).
    """
    if health_body_kind not in Organisation.HealthBodyKind.values:
        raise InvalidInput(
            "Choose the kind of health body the file lists.",
            field_errors={"health_body_kind": ["Choose a kind of health body."]},
        )
    today = today or timezone.localdate()
    result = OdsImportResult()
    rows = _ods_rows(text)
    if len(rows) > MAX_ODS_ROWS:
        result.problems.append((0, f"more than {MAX_ODS_ROWS} rows: import an area at a time"))
        return result
    clean, seen = [], {}
    for n, values in rows:
        code = values.get("code", "").upper()
        name = " ".join(values.get("name", "").split())
        if not ODS_CODE.match(code):
            result.problems.append((n, f"'{code}' is not an ODS code (3 to 10 letters or digits)"))
            continue
        if not name:
            result.problems.append((n, f"{code} has no name"))
            continue
        if len(name) > 200:
            result.problems.append((n, f"{code}'s name is longer than 200 characters"))
            continue
        if code in seen:
            result.problems.append((n, f"{code} appears twice (first on line {seen[code]})"))
            continue
        seen[code] = n
        try:
            close_date = _ods_date(values.get("close_date", ""))
        except ValueError as exc:
            result.problems.append((n, f"{code}: close date {exc}"))
            continue
        if close_date is not None and close_date <= today:
            result.closed.append(code)
            continue
        clean.append((code, _ods_name(name)))
    if result.problems:
        return result
    with transaction.atomic():
        existing = {
            o.ods_code: o
            for o in Organisation.objects.select_for_update().filter(
                ods_code__in=[c for c, _ in clean]
            )
        }
        wrong_kind = [c for c, o in existing.items() if not o.is_health_body]
        if wrong_kind:
            result.problems.append(
                (
                    0,
                    f"{', '.join(sorted(wrong_kind))}: that code belongs to a body that is not a "
                    "health body here",
                )
            )
            transaction.set_rollback(True)
            return result
        taken = set(Organisation.objects.values_list("slug", flat=True))
        for code, name in clean:
            body = existing.get(code)
            if body is None:
                body = Organisation.objects.create(
                    name=name,
                    slug=_unique_slug(name, code, taken),
                    kind=Organisation.Kind.HEALTH_BODY,
                    health_body_kind=health_body_kind,
                    ods_code=code,
                    area=area[:120],
                )
                log_event(body, EventType.HEALTH_BODY_IMPORTED, by=by, note=code)
                result.created.append(body)
            elif body.name != name:
                old, body.name = body.name, name
                body.save(update_fields=["name"])
                log_event(body, EventType.HEALTH_BODY_ODS_UPDATED, by=by, note=f"name was '{old}'")
                result.updated.append(body)
            else:
                result.unchanged.append(body)
    return result
