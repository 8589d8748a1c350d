"""OpenAPI: every operation documents its problem+json errors; the Bearer scheme is declared in
api.authentication."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from api.errors import PROBLEM_CONTENT_TYPE, problem_type_uri


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    instance = serializers.CharField(required=False, help_text="The path that was asked for.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name → what is wrong with it. Nested fields read 'action_plan[0].owner'.",
    )
    current_state = serializers.CharField(
        required=False, help_text="On 409: the state the request or recommendation is in."
    )

    class Meta:
        ref_name = "Problem"


ERROR_DESCRIPTIONS = {
    "400": "Invalid input or a malformed body; `errors` names the fields.",
    "401": "No key, or a wrong or revoked key.",
    "403": "The key lacks the scope for this.",
    "404": "Nothing here that you may see.",
    "406": "The Accept header asks for something other than JSON.",
    "409": "The request or recommendation is not in a state that allows this, or the request "
    "clashes with something already recorded.",
    "413": "The body is too large.",
    "415": "The content type is not accepted.",
    "422": "The Idempotency-Key was already used with a different body.",
    "429": "Too many requests; see Retry-After.",
    "500": "An error on our side, logged; the body never carries internals.",
    "503": "The database is unavailable just now; see Retry-After.",
}

VALIDATION_EXAMPLE = OpenApiExample(
    "Invalid input",
    value={
        "type": problem_type_uri("invalid-input"),
        "title": "Your request has invalid input",
        "status": 400,
        "detail": 'Check your input. outcome: "agreed" is not a valid choice.',
        "instance": "/api/v1/recommendations/42/responses/",
        "errors": {"outcome": ['"agreed" is not a valid choice.']},
    },
    status_codes=["400"],
    response_only=True,
)


class ProblemAutoSchema(AutoSchema):
    """Adds the problem+json error responses that the operation can give."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "404", "406", "429", "500", "503"]
        if getattr(self.view, "permission_classes", None) and not getattr(
            self.view, "public", False
        ):
            codes += ["401", "403"]
        if self.method == "POST":
            codes += ["409", "413", "415", "422"]
        return sorted(set(codes))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problem = self.resolve_serializer(ProblemSerializer, direction).ref
        for code in self._error_codes():
            if code in responses:
                continue
            body = {
                "description": ERROR_DESCRIPTIONS[code],
                "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
            }
            if code in ("429", "503"):
                body["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before trying again.",
                    }
                }
            if code == "400":
                body["content"][PROBLEM_CONTENT_TYPE]["examples"] = {
                    "InvalidInput": {
                        "value": VALIDATION_EXAMPLE.value,
                        "summary": VALIDATION_EXAMPLE.name,
                    }
                }
            responses[code] = body
        if self.method == "GET":
            for code in ("200",):
                if code in responses:
                    responses[code].setdefault("headers", {})["ETag"] = {
                        "schema": {"type": "string"},
                        "description": "Send it back as If-None-Match to get 304 when unchanged.",
                    }
            responses["304"] = {"description": "Not modified: If-None-Match matched the ETag."}
        return responses
