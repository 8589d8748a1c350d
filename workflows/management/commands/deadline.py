"""`manage.py deadline RULE DATE`: the due date a deadline rule gives, and why.

    $ python manage.py deadline link-information-request 2026-12-18
    2027-01-20
    20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027

For `agenda-publication` (a clear-days rule) DATE is the meeting date and the answer is the last
day to publish. The first line is always the ISO date, so scripts can read it; the second line is
the same explanation a due date carries in the product. With `-v 2` a third line names the rule,
its source and the bank-holiday region used.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError

from workflows.calendar import REGION_LABELS, REGIONS
from workflows.clocks import calendar_for, compute_due
from workflows.models import DeadlineRule

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(value: str) -> dt.date:
    """A date written exactly as YYYY-MM-DD, or CommandError saying what is wrong."""
    value = value.strip()
    if not ISO_DATE.match(value):
        raise CommandError(f"'{value}' is not a date in the form YYYY-MM-DD (e.g. 2026-12-18).")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a real date: {exc}.") from exc


class Command(BaseCommand):
    help = (
        "Print the due date that deadline rule RULE gives for DATE (ISO YYYY-MM-DD) on the first "
        "line and how it was worked out on the second. For 'agenda-publication' DATE is the "
        "meeting date and the answer is the last day to publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("rule", help="The deadline rule's slug, e.g. link-information-request")
        parser.add_argument("date", help="The start date (meeting date for clear-days rules)")
        parser.add_argument(
            "--region",
            choices=list(REGIONS),
            help="Count the bank holidays of this region instead of the rule's own region.",
        )

    def handle(self, *args, rule, date, region=None, verbosity=1, **options):
        slugs = list(DeadlineRule.objects.order_by("slug").values_list("slug", flat=True))
        if not slugs:
            raise CommandError(
                "There are no deadline rules; run 'python manage.py migrate' to create them."
            )
        try:
            deadline_rule = DeadlineRule.objects.get(slug=rule)
        except DeadlineRule.DoesNotExist:
            raise CommandError(
                f"Unknown deadline rule '{rule}'. Choose one of: {', '.join(slugs)}."
            ) from None
        start = parse_iso_date(date)
        # `choices` already rejects a bad --region when run from the shell; call_command does not
        # apply choices to options passed as keyword arguments, so check again here.
        if region is not None and region not in REGIONS:
            raise CommandError(f"Unknown region '{region}'. Choose one of: {', '.join(REGIONS)}.")
        # The terms in force for a clock started on that date (a later change leaves it alone).
        terms = deadline_rule.terms_on(start)
        effective_region = region or terms.effective_region
        try:
            due = compute_due(
                deadline_rule, start, calendar=calendar_for(effective_region), terms=terms
            )
        except (OverflowError, ValueError) as exc:
            raise CommandError(
                f"Cannot count '{deadline_rule.slug}' from {start.isoformat()}: {exc}"
            ) from exc

        self.stdout.write(due.date.isoformat())
        self.stdout.write(due.explanation)
        if verbosity >= 2:
            source = f"; {deadline_rule.source}" if deadline_rule.source else ""
            self.stdout.write(
                f"Rule: {deadline_rule.name} ({deadline_rule.slug}){source}. "
                f"Bank holidays of {REGION_LABELS[effective_region]}."
            )
