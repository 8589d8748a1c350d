"""Limits and the small serializers every family shares."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scrutiny.casework.models import (
    Organisation,
    Topic,
)
from workflows.ids import MAX_ID  # noqa: F401  (re-exported: api.serializers.MAX_ID)

MAX_TEXT = 100_000
MAX_ATTACHMENTS = 10
MAX_ACTIONS = 50


def blank_choice(choices, **kwargs):
    """A read-only choice field that may be blank (the schema then allows "")."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True, **kwargs)


# --- Output -----------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "ods_code", "gss_code"]
        read_only_fields = fields


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "title"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[0-2][0-9]:[0-5][0-9]$",
        "description": "Local time in the UK, HH:MM (no offset).",
        "example": "18:30",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time. JSON Schema's "time" format needs an offset, which a meeting's
    local start time has not, so the schema states the pattern instead."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


# --- Input ---------------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring them."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)
