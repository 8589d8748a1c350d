"""The range an id may take, on every database.

Primary keys are 64-bit signed integers (`BigAutoField`), so a real id lies in 1..2**63-1.
Anything outside that range names nothing; it must be refused as bad input (400, or "select a
valid choice" on a form) before it reaches a query, because SQLite raises `OverflowError` for an
integer it cannot store (a 500) where PostgreSQL quietly compares. Django guards `=`, `<`, `>` on
integer fields since 5.0, but not `IN`, which is what `ModelMultipleChoiceField` uses.
"""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.lookups import In

MIN_ID = 1
MAX_ID = 2**63 - 1


def id_in_range(value: int) -> bool:
    return MIN_ID <= value <= MAX_ID


def parse_id(value) -> int | None:
    """The id a form value, query or path parameter names, or None when it cannot name one.

    Accepts an int, or a string of ASCII digits; refuses spaces, signs, decimals, other digit
    scripts, and anything out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if id_in_range(value) else None
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if id_in_range(number) else None


@IntegerField.register_lookup
class IntegerFieldIn(In):
    """`IN` on an integer column leaves out values the column cannot hold, as Django's own `=`
    does (`IntegerFieldOverflow`): they can match no row, and SQLite cannot bind them. With none
    left the lookup matches nothing (and its negation everything)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
