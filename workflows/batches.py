"""Reading a large queryset in batches of primary keys, for the batch jobs (sweep, recompute).

Keyset paging: each batch is one indexed query (`pk > last ORDER BY pk LIMIT n`), no cursor is
held open across the batches' transactions, and memory holds one batch at a time. Rows added
behind the last key while it runs are not read; rows that stop matching are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator


def pk_batches(qs, size: int) -> Iterator[list[int]]:
    """The queryset's primary keys in ascending batches of at most `size`."""
    last = None
    while True:
        page = qs.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        pks = list(page.values_list("pk", flat=True)[:size])
        if pks:
            yield pks
        if len(pks) < size:
            return
        last = pks[-1]
