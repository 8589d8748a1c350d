"""Joint working's background tasks (run by `manage.py task_worker`, see workflows/tasks.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_pack(pack_id: int) -> str:
    """Build one agenda pack as a PDF (protocols.services.packs)."""
    from protocols.services.packs import agenda_pack_build

    return agenda_pack_build(pack_id)
