"""Agenda packs as one PDF each, built in the task worker and kept until what they
show changes (docs/decisions/0031-agenda-packs.md).

A pack is a cache, not a record: its row says which version of the meeting's agenda the
file shows, and whether the worker has built it yet. A change to the agenda makes
a new version, so a new row; the old one is deleted once the new file is built.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from protocols.models.meetings import Meeting


class PackKind(models.TextChoices):
    """What a pack holds. The public kind never holds an exempt item or paper (LGA 1972
    s100A(4) and Schedule 12A); the members' kind holds every item."""

    AGENDA = "agenda", "Agenda pack"
    AGENDA_FULL = "agenda_full", "Members' agenda pack"


class Pack(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    kind = models.CharField(max_length=20, choices=PackKind.choices)
    version = models.CharField(
        max_length=64, help_text="Digest of everything the pack shows: a change makes a new one."
    )
    file = models.FileField(upload_to="packs/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Where each item and paper starts in the pack, so the web agenda can give the same page
    # numbers as the pack's contents: {"items": {pk: page}, "papers": {pk: page}}.
    contents = models.JSONField(default=dict, blank=True)
    # Papers the pack lists rather than includes, and why: {paper pk: note}.
    listed = models.JSONField(default=dict, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting_id", "kind", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "version"], name="one_pack_per_agenda_version"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.meeting_id} ({self.version[:8]})"

    @property
    def ready(self) -> bool:
        return self.built_at is not None and bool(self.file)
