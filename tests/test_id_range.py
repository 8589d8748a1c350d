"""Ids out of range (above 2**63-1, the largest a primary key can be) are bad input on every door
and on both databases: a form says "select a valid choice" (400, what was typed kept), the API
gives a 400 problem naming the parameter, and a path names nothing (404). Never a 500: SQLite
raises OverflowError for an integer it cannot store."""

import pytest

from api.keys import issue_key
from scrutiny.casework.models import Organisation, Topic
from tests.api.conftest import after_the_issue_dates, build_casework, client_for  # noqa: F401
from tests.factories import TopicFactory
from workflows.ids import MAX_ID, parse_id

pytestmark = pytest.mark.django_db

TOO_BIG = [MAX_ID + 1, 2**64, 10**30]


@pytest.mark.parametrize(
    "value, expected",
    [
        (1, 1),
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        (MAX_ID, MAX_ID),
        (str(MAX_ID + 1), None),
        (MAX_ID + 1, None),
        ("0", None),
        (0, None),
        ("-1", None),
        ("1.0", None),
        (" 1", None),
        ("١", None),  # an Arabic-Indic digit: str.isdigit() says yes, an id says no
        ("9" * 400, None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize("big", TOO_BIG)
def test_the_topic_form_refuses_a_health_body_id_out_of_range(client, area, officer, big):
    client.force_login(officer)
    response = client.post(
        "/topics/new/",
        {
            "title": "Stroke unit kept title",
            "summary": "Moving the unit",
            "owner": f"p{area.partnership.pk}",
            "lead_body": area.network.pk,
            "source": "officer",
            "health_bodies": [area.trust.pk, big],
        },
    )
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Select a valid choice" in response.content
    assert b"Stroke unit kept title" in response.content
    assert not Topic.objects.filter(title="Stroke unit kept title").exists()


@pytest.mark.parametrize("big", TOO_BIG)
def test_the_topic_form_refuses_a_lead_body_id_out_of_range(client, area, officer, big):
    client.force_login(officer)
    response = client.post(
        "/topics/new/",
        {
            "title": "Stroke unit",
            "summary": "Moving the unit",
            "owner": f"p{area.partnership.pk}",
            "lead_body": big,
            "source": "officer",
        },
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


@pytest.mark.parametrize("big", TOO_BIG)
def test_the_request_form_refuses_a_recipient_id_out_of_range(client, area, officer, big):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    client.force_login(officer)
    response = client.post(
        f"/topics/{topic.pk}/requests/new/",
        {"recipients": [big], "question": "How many beds, kept?"},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert b"How many beds, kept?" in response.content
    assert not topic.requests.exists()


@pytest.mark.parametrize("big", TOO_BIG)
def test_the_suggestion_form_refuses_an_area_id_out_of_range(client, area, big):
    response = client.post(
        "/suggest/",
        {"title": "Hearing tests", "description": "Long waits", "partnership": big},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_a_multiple_choice_lookup_with_an_id_out_of_range_matches_nothing(area):
    # The database-level guard behind every ModelMultipleChoiceField and `__in` filter.
    assert list(Organisation.objects.filter(pk__in=[MAX_ID + 1])) == []
    assert list(Organisation.objects.filter(pk__in=[area.trust.pk, 2**64])) == [area.trust]
    assert Organisation.objects.exclude(pk__in=[2**64]).count() == Organisation.objects.count()


@pytest.mark.parametrize(
    "path",
    [
        f"/topics/{MAX_ID + 1}/",
        f"/topics/{10**30}/requests/new/",
        f"/requests/{2**64}/response/",
        f"/outcomes/{MAX_ID + 1}/",
        f"/meetings/{MAX_ID + 1}/",
        f"/api/keys/{MAX_ID + 1}/rotate/",
    ],
)
def test_a_path_with_an_id_out_of_range_names_nothing(client, officer, path):
    client.force_login(officer)
    assert client.get(path).status_code == 404


@pytest.fixture
def api(area, responder):
    return client_for(issue_key(responder, area.trust, "Ids", ["read", "respond"])[1])


@pytest.mark.parametrize(
    "url, parameter",
    [
        (f"/api/v1/information-requests/?topic={MAX_ID + 1}", "topic"),
        ("/api/v1/information-requests/?topic=0", "topic"),
        (f"/api/v1/recommendations/?topic={2**64}", "topic"),
        (f"/api/v1/public/recommendations/?recipient={MAX_ID + 1}", "recipient"),
        (f"/api/v1/public/meetings/?body={MAX_ID + 1}", "body"),
        ("/api/v1/information-requests/?page=0", "page"),
        (f"/api/v1/information-requests/?page={MAX_ID + 1}", "page"),
        ("/api/v1/information-requests/?page=last", "page"),
        ("/api/v1/information-requests/?page_size=null", "page_size"),
        ("/api/v1/information-requests/?page_size=0", "page_size"),
        ("/api/v1/information-requests/?page_size=101", "page_size"),
        ("/api/v1/information-requests/?topic=", "topic"),
        ("/api/v1/information-requests/?due_before=", "due_before"),
        ("/api/v1/public/recommendations/?recipient=", "recipient"),
        ("/api/v1/responses/?on_time=maybe", "on_time"),
        ("/api/v1/responses/?on_time=1", "on_time"),
    ],
)
def test_the_api_refuses_a_query_parameter_out_of_range(api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert parameter in response.json()["errors"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/information-requests/{MAX_ID + 1}/",
        f"/api/v1/public/topics/{2**64}/",
        "/api/v1/public/topics/0/",
    ],
)
def test_an_api_path_with_an_id_out_of_range_is_a_problem_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_api_still_takes_the_values_the_schema_allows(api):
    for url in [
        "/api/v1/information-requests/?page=1&page_size=1",
        "/api/v1/information-requests/?page_size=100",
        f"/api/v1/information-requests/?topic={MAX_ID}",
        "/api/v1/responses/?on_time=true",
        "/api/v1/responses/?on_time=false",
    ]:
        assert api.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "key, ok",
    [
        ("7d0c3f52-2a4e-4b55-9a53-6b3c4a1f9e10", True),
        ("a", True),
        ("a b", True),
        ("k" * 255, True),
        ("k" * 256, False),
        (" leading", False),
        ("trailing ", False),
        ("caf\u00e9", False),
        ("tab\tinside", False),
    ],
)
@pytest.mark.usefixtures("after_the_issue_dates")  # answers after build_casework's issue date
def test_the_idempotency_key_rule_is_the_one_the_schema_states(api, area, officer, key, ok):
    work = build_casework(area, officer)
    response = api.post(
        f"/api/v1/information-requests/{work.req.pk}/responses/",
        {"outcome": "answered", "text": "40 beds"},
        format="json",
        headers={"Idempotency-Key": key.encode().decode("unicode_escape")},
    )
    if ok:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["errors"]
