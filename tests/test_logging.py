"""A request id on every response and every log line it causes; JSON lines when asked."""

import json
import logging

from django.http import HttpResponse
from django.test import RequestFactory

from scrutiny.web.middleware import RequestIdMiddleware
from workflows.logs import JsonFormatter, RequestIdFilter, request_id


def test_each_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-abc.123")["X-Request-ID"] == (
        "proxy-abc.123"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>" + "x" * 80)["X-Request-ID"]
    assert len(forged) == 32 and "<" not in forged


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


def test_log_lines_inside_a_request_carry_its_id():
    seen, handler = [], _Collect()
    logger = logging.getLogger("cf.test")
    logger.addHandler(handler)

    def view(request):
        logger.warning("inside")
        seen.append(request.request_id)
        return HttpResponse("ok")

    try:
        response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    finally:
        logger.removeHandler(handler)
    (record,) = [r for r in handler.records if r.getMessage() == "inside"]
    assert record.request_id == seen[0] == response["X-Request-ID"]
    assert request_id.get() == "-"  # reset after the request


def test_the_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("cf", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
    record.request_id = "abc"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom x" and entry["request_id"] == "abc"
    assert entry["level"] == "ERROR" and entry["time"].endswith("+00:00")
