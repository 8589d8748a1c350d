"""Schemathesis over every operation of the OpenAPI schema, with a valid key.

Fixed seed and every check schemathesis has: no 5xx; status codes, content types, bodies and
headers the schema documents; data the schema allows is accepted and data it forbids is refused
(ids, page numbers, Idempotency-Key); unsupported methods are 405 with Allow; the key is
enforced (no key and a wrong key are refused where the right one succeeds).

The CI run is bounded (CF_SCHEMATHESIS_EXAMPLES examples per operation, 25 by default, a few
hundred requests); `make schemathesis` runs 500 per operation.
"""

import datetime as dt
import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from api import webhooks
from api.keys import issue_key
from api.serializers.casework import ACTION_PLAN_JSON_FORMAT
from api.webhooks import webhook_register
from scrutiny.casework import services
from scrutiny.wsgi import application
from tests.api.conftest import build_casework
from tests.api.test_public_meetings import _meeting
from tests.conftest import EXAMPLE_PUBLIC_ADDRESS
from tests.factories import agree_recommendations, consultation_recorded, visit_build

load_all_checks()
CHECKS = REGISTERED_CHECKS.get_all()  # every check, named in the docstring
# A bounded run in the suite; `make test-long` (CF_LONG_EXAMPLES) or `make schemathesis`
# (CF_SCHEMATHESIS_EXAMPLES) fuzz longer on demand.
EXAMPLES_PER_OPERATION = int(
    os.environ.get("CF_LONG_EXAMPLES") or os.environ.get("CF_SCHEMATHESIS_EXAMPLES") or 25
)
SENT: dict[str, int] = {}  # requests sent per operation, checked by the test after this one
SUCCEEDED: dict[str, int] = {}  # 2xx answers per operation


@pytest.fixture(autouse=True)
def any_host_is_public(monkeypatch):
    """The fuzzer invents host names; here they all resolve to one public address, so a valid
    registration can succeed (the address checks have tests of their own in test_webhooks)."""
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: {EXAMPLE_PUBLIC_ADDRESS})


@pytest.fixture
def fuzz_key(area, responder):
    return issue_key(responder, area.trust, "Fuzzing", ["read", "respond"])[1]


@pytest.fixture
def fuzz_data(db, settings, area, officer, responder, fuzz_key):
    # Data for every endpoint: casework for the key's body and another, a response with an
    # action plan, a published topic.
    work = build_casework(area, officer)
    services.provider_response_record(
        subject=work.req, by=responder, channel="api", text="40 beds", outcome="answered"
    )
    services.provider_response_record(
        subject=work.rec,
        by=responder,
        channel="api",
        text="Agreed",
        outcome="accepted",
        action_plan=[{"action": "Keep", "owner": "COO", "target_date": dt.date(2027, 3, 1)}],
    )
    type(work.topic).objects.filter(pk=work.topic.pk).update(published_at=dt.datetime.now(dt.UTC))
    meeting = _meeting(area, officer, "Joint committee", topic=work.topic)
    response = work.req.responses.get()
    # A request and a recommendation still awaiting their first answer: an item has one current
    # answer, so the first valid POST of a response answers these (201); later ones are 409s.
    open_req = services.information_request_issue(
        request=services.information_request_draft(
            topic=work.topic, by=officer, recipient=area.trust, question="How many staff?"
        ),
        by=officer,
    )
    open_rec = services.recommendation_draft(
        topic=work.topic, by=officer, recipient=area.trust, text="Open the ward at weekends."
    )
    open_rec = next(r for r in agree_recommendations(work.topic) if r.pk == open_rec.pk)
    open_rec = services.recommendation_issue(recommendation=open_rec, by=officer)
    hook = webhook_register(
        organisation=area.trust, url="https://trust.example.org/", by=responder
    )[0]
    consultation = consultation_recorded(
        by=responder, body=area.trust, committee=area.committee, channel="web"
    )
    # A visit to the key's body's premises, in its factual-accuracy check: the first state a
    # provider is shown.
    visit = visit_build(area, officer, state="accuracy_check")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "api_key": "1000000/min",
            "api_user": "1000000/min",
            "api_public": "1000000/min",
        },
    }
    # Django closes the connection at the end of each request, which would end the test's
    # transaction; the test client does the same as this.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        # Real ids per path: half the generated cases are pointed at one, so the success paths
        # (200, 201) are exercised as well as the 404s.
        yield {
            "/api/v1/information-requests/{id}/": work.req.pk,
            "/api/v1/information-requests/{id}/responses/": open_req.pk,
            "/api/v1/recommendations/{id}/": work.rec.pk,
            "/api/v1/recommendations/{id}/responses/": open_rec.pk,
            "/api/v1/recommendations/{id}/implementation-updates/": work.rec.pk,
            "/api/v1/responses/{id}/": response.pk,
            "/api/v1/public/topics/{id}/": work.topic.pk,
            "/api/v1/public/recommendations/{id}/": work.rec.pk,
            "/api/v1/public/meetings/{id}/": meeting.pk,
            "/api/v1/webhooks/{id}/": hook.pk,
            "/api/v1/webhooks/{id}/deliveries/": hook.pk,
            "/api/v1/consultations/{id}/": consultation.pk,
            "/api/v1/visits/{id}/": visit.pk,
            # A submission names real bodies (the key's own, a committee): half the generated
            # ones are given a valid body, so the 201 is exercised as well as the 400s.
            "POST /api/v1/consultations/": {
                "body": area.trust.pk,
                "committee": area.committee.pk,
                "title": "Moving the stroke unit",
                "what_changes": "It moves.",
                "who_is_affected": "Northby",
                "received_on": "2026-11-02",
                "comments_due_on": "2026-12-30",
                "proposed_decision_on": "2027-01-28",
            },
        }
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# The multipart action plan is a string holding a JSON list (its own format in the schema):
# valid ones are generated here, as JSON Schema cannot describe them.
schemathesis.openapi.format(
    ACTION_PLAN_JSON_FORMAT,
    st.lists(
        st.fixed_dictionaries(
            {
                "action": st.text(min_size=1, max_size=50).filter(str.strip),
                "owner": st.text(min_size=1, max_size=50).filter(str.strip),
                "target_date": st.dates().map(dt.date.isoformat),
            }
        ),
        max_size=3,
    ).map(json.dumps),
)

# Schema-valid data may still meet a documented refusal that depends on what was sent before:
# 422 is an Idempotency-Key used earlier with another body (schemathesis repeats keys), as 409
# is a case that has moved on. Everything else is schemathesis's default.
ACCEPTED = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]
# Five POSTs have rules across fields or against the records that JSON Schema cannot state (the
# schema says them in words): a refusal needs its ground, a slipped action a revised date,
# `supersedes` must name your body's earlier response to the same subject, a webhook address
# must be https and public, a consultation names your own body and its dates run in order.
# There a schema-valid body may get a 400 problem naming the field; every other check still
# applies to them.
CROSS_FIELD_RULES = [
    "/api/v1/information-requests/{id}/responses/",
    "/api/v1/recommendations/{id}/responses/",
    "/api/v1/recommendations/{id}/implementation-updates/",
    "/api/v1/webhooks/",
    "/api/v1/consultations/",
]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        "operations": [
            {
                "include-method": "POST",
                "include-path": CROSS_FIELD_RULES,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400]}},
            }
        ],
    }
)

# The schema is built without the database, so it can be loaded when the module is collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)


@pytest.mark.schemathesis
@schema.parametrize()
@seed(20261126)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case, fuzz_key, fuzz_data):
    label = f"{case.method.upper()} {case.path}"
    SENT[label] = SENT.get(label, 0) + 1
    path_is_negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    if case.path in fuzz_data and SENT[label] % 2 == 0 and not path_is_negative:
        case.path_parameters = {**(case.path_parameters or {}), "id": fuzz_data[case.path]}
    body_is_negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY)
    if label in fuzz_data and SENT[label] % 2 == 0 and not body_is_negative:
        case.body = dict(fuzz_data[label])
    # The key is passed to the checks too, so ignored_auth knows it is the real one and probes
    # the operation without it and with a wrong one.
    headers = {"Authorization": f"Bearer {fuzz_key}"}
    response = case.call(headers=headers)
    if 200 <= response.status_code < 300:
        SUCCEEDED[label] = SUCCEEDED.get(label, 0) + 1
    case.validate_response(response, checks=CHECKS, headers=headers)


@pytest.mark.schemathesis
def test_the_run_covered_every_operation_with_thousands_of_requests(request):
    """Runs after the schemathesis test (pytest-django orders tests that use no database last)."""
    if not any(
        item.name.startswith("test_every_operation_conforms_to_the_schema")
        for item in request.session.items
    ):
        pytest.skip("the schemathesis run itself was not selected")
    operations = {f"{op.method.upper()} {op.path}" for op in _operations()}
    documented = {op: n for op, n in SENT.items() if op in operations}
    print("schemathesis requests per operation:", documented)
    assert set(documented) == operations, operations - set(documented)
    assert sum(documented.values()) >= 10 * len(operations), documented
    print("2xx answers per operation:", SUCCEEDED)
    assert set(SUCCEEDED) >= operations, operations - set(SUCCEEDED)
    # The rest are schemathesis's probes with methods the schema does not list (405 expected).
    assert sum(SENT.values()) > sum(documented.values())


def _operations():
    return [result.ok() for result in schema.get_all_operations()]
