"""What every viewset shares: paging, the object lookup, the API mixin, the catch-all 404."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework import pagination
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from api.authentication import ApiKeyAuthentication
from api.errors import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPES,
    problem_exception_handler,
    problem_type_uri,
)
from api.idempotency import HEADER as IDEMPOTENCY_HEADER
from api.idempotency import KEY_SCHEMA as IDEMPOTENCY_KEY_SCHEMA
from api.parsers import LimitedJSONParser
from api.permissions import HasScope
from api.schema import ProblemAutoSchema
from api.serializers import (
    MAX_ID,
)
from api.throttling import ApiThrottle
from workflows.ids import parse_id


class ApiPagination(pagination.PageNumberPagination):
    """Page numbers from 1 and page sizes from 1 to 100, as the schema says: anything else
    (`page=0`, `page_size=null`, `page_size=500`) is a 400 naming the parameter, not silently
    replaced by the default. A page past the last is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        size = _whole_number(text, maximum=self.max_page_size)
        if size is None:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Send a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        text = request.query_params.get(self.page_query_param)
        if text is not None and _whole_number(text, maximum=MAX_ID) is None:
            raise ValidationError({self.page_query_param: ["Send a whole number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": MAX_ID},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
        return parameters


def _whole_number(text: str, *, maximum: int) -> int | None:
    number = parse_id(text)
    return number if number is not None and number <= maximum else None


def _pk_or_404(value) -> int:
    pk = parse_id(value)
    if pk is None or str(value) != str(pk):
        raise NotFound()
    return pk


class ApiViewMixin:
    """What every API view shares: auth, scopes, throttle, problem+json errors, ETags."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasScope]
    throttle_classes = [ApiThrottle]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    parser_classes = [LimitedJSONParser]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    schema = ProblemAutoSchema()
    public = False

    def get_exception_handler(self):
        return problem_exception_handler

    def get_object(self):
        pk = _pk_or_404(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise NotFound()
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if (
            getattr(response, "content_type", None) == PROBLEM_CONTENT_TYPE
            and renderer is not None
            and renderer.format != "json"
        ):
            response.content_type = None  # the browsable API renders errors as HTML
        if not self.public:
            patch_vary_headers(response, ["Authorization", "Cookie"])
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if self.public:
                patch_cache_control(response, public=True, max_age=60)
            else:
                patch_cache_control(response, private=True, no_cache=True)
            response.render()
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
            response["ETag"] = etag
            wanted = request.META.get("HTTP_IF_NONE_MATCH")
            # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
            offered = {t.removeprefix("W/") for t in parse_etags(wanted or "")}
            if wanted and (wanted.strip() == "*" or etag in offered):
                not_modified = HttpResponseNotModified()
                for header in ("ETag", "Cache-Control", "Vary"):
                    if header in response:
                        not_modified[header] = response[header]
                return not_modified
        return response


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string per logical request (a UUID). Retrying with the same key and body "
        "replays the first answer and records nothing new; the same key with another body is 422."
    ),
)


@csrf_exempt
def not_found(request):
    """Anything under /api/v1/ that matches no route: a problem+json 404, not an HTML page."""
    detail = "There is no API endpoint at this address."
    if not request.path.endswith("/"):
        detail += f" Did you mean {request.path}/ ?"
    body = {
        "type": problem_type_uri("not-found"),
        "title": PROBLEM_TYPES["not-found"][0],
        "status": 404,
        "detail": detail,
        "instance": request.path,
    }
    return HttpResponse(json.dumps(body), status=404, content_type=PROBLEM_CONTENT_TYPE)
