"""Every staff URL × role × own/partner/other body → the expected status.

The cases (see casework_setup.build_cases) are three topics in 'response due', each with a
request answered by letter (attached) and a draft recommendation:
  own     — the Northby LINk's topic alone (its officer's own body);
  partner — a joint Northby topic, referred by the LINk to the HOSC;
  other   — a joint topic of another partnership (Southby), with nothing to Northby's trust.
Access levels: manage (officers of a party), case (members and chairs of a party), summary
(responders of a body with something issued on the topic: title and summary only), none.
Not visible is 404, never 403; visible but not allowed is 403; anonymous visitors are sent to
sign in (302).
"""

import pytest

from tests.scrutiny.casework_setup import build_cases

ROLES = ["officer", "osc_officer", "member", "chair", "responder", "other_officer", "anonymous"]
SCOPES = ["own", "partner", "other"]

# role -> scope -> access
ACCESS = {
    "officer": {"own": "manage", "partner": "manage", "other": "none"},
    "osc_officer": {"own": "none", "partner": "manage", "other": "none"},
    "member": {"own": "none", "partner": "case", "other": "none"},
    "chair": {"own": "none", "partner": "case", "other": "none"},
    "responder": {"own": "summary", "partner": "summary", "other": "none"},
    "other_officer": {"own": "none", "partner": "none", "other": "manage"},
    "anonymous": {"own": "anon", "partner": "anon", "other": "anon"},
}

# url kind -> access -> expected status
TOPIC_URLS = {
    "detail": ("/topics/{topic}/", {"manage": 200, "case": 200, "summary": 200}),
    "withdraw": ("/topics/{topic}/withdraw/", {"manage": 200, "case": 403}),
    # The topic's only recommendation is a draft, not agreed: nothing can be issued yet.
    "make_recommendations": (
        "/topics/{topic}/make_recommendations/",
        {"manage": 409, "case": 403},
    ),
    "request_more": ("/topics/{topic}/request_more/", {"manage": 409, "case": 403}),
    "draft_request": ("/topics/{topic}/requests/new/", {"manage": 200, "case": 403}),
    "draft_recommendation": (
        "/topics/{topic}/recommendations/new/",
        {"manage": 200, "case": 403},
    ),
    "position": ("/topics/{topic}/position/", {"manage": 200, "case": 200}),
    "request_response": (
        "/requests/{request}/response/",
        {"manage": 200, "case": 403, "summary": 403},
    ),
    "recommendation_response": (
        "/recommendations/{recommendation}/response/",
        {"manage": 409, "case": 403},
    ),
    "attachment": (
        "/attachments/{attachment}/",
        {"manage": 200, "case": 200, "summary": 200},
    ),
    "unknown_action": ("/topics/{topic}/no_such_action/", {}),
}


def expected_status(kind, role, scope):
    access = ACCESS[role][scope]
    if kind == "unknown_action":  # no such URL: other packages' pages are not shadowed
        return 404
    if access == "anon":
        return 302
    status = TOPIC_URLS[kind][1].get(access, 404)
    # A single-body topic takes no positions: its officer sees the page but may not use it.
    if kind == "position" and scope == "own" and access == "manage":
        return 403
    return status


@pytest.fixture
def cases(area, officer, osc_officer, member, chair, responder, other_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_cases(area, officer, other_officer)


def _client_for(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_topic_urls(client, request, cases, role):
    """One role per test (the cases are costly to build); every URL kind × scope inside."""
    client = _client_for(client, request, role)
    got, expected = {}, {}
    for kind, (template, _) in TOPIC_URLS.items():
        for scope in SCOPES:
            url = template.format(
                topic=cases.topics[scope].pk,
                request=cases.requests[scope].pk,
                recommendation=cases.recommendations[scope].pk,
                attachment=cases.attachments[scope].pk,
            )
            got[(kind, scope)] = client.get(url).status_code
            expected[(kind, scope)] = expected_status(kind, role, scope)
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_posting_an_action_obeys_the_same_rules(client, request, cases, role):
    client = _client_for(client, request, role)
    for scope in SCOPES:
        topic = cases.topics[scope]
        response = client.post(
            f"/topics/{topic.pk}/withdraw/", {"reason": "No longer needed", "expected_state": ""}
        )
        access = ACCESS[role][scope]
        expected = {"anon": 302, "manage": 302, "case": 403}.get(access, 404)
        assert response.status_code == expected, scope
        topic.refresh_from_db()
        assert (topic.state == "withdrawn") is (access == "manage")


# Referral actions: the referral goes from the LINk to the HOSC; only the HOSC's officers act.
REFERRAL_EXPECTED = {
    # role: (partner acknowledge, partner update, other acknowledge, other update)
    "officer": (403, 403, 404, 404),
    "osc_officer": (200, 409, 404, 404),
    "member": (403, 403, 404, 404),
    "chair": (403, 403, 404, 404),
    "responder": (404, 404, 404, 404),
    "other_officer": (404, 404, 403, 403),
    "anonymous": (302, 302, 302, 302),
}


@pytest.mark.parametrize("role", ROLES)
def test_referral_urls(client, request, cases, role):
    client = _client_for(client, request, role)
    got = tuple(
        client.get(f"/referrals/{cases.referrals[scope].pk}/{action}/").status_code
        for scope in ("partner", "other")
        for action in ("acknowledge", "update")
    )
    assert got == REFERRAL_EXPECTED[role]


LIST_EXPECTED = {
    # role: /work/, /topics/, /topics/new/, /referrals/, /members/, /programme/northby/,
    #       /programme/southby/
    "officer": (200, 200, 200, 200, 200, 200, 404),
    "osc_officer": (200, 200, 200, 200, 200, 200, 404),
    "member": (200, 200, 200, 200, 200, 200, 404),
    "chair": (200, 200, 200, 200, 200, 200, 404),
    "responder": (403, 200, 403, 403, 403, 403, 403),
    "other_officer": (200, 200, 200, 200, 200, 404, 200),
    "anonymous": (302, 302, 302, 302, 302, 302, 302),
}
LIST_URLS = [
    "/work/",
    "/topics/",
    "/topics/new/",
    "/referrals/",
    "/members/",
    "/programme/northby/",
    "/programme/southby/",
]


@pytest.mark.parametrize("role", ROLES)
def test_list_urls(client, request, cases, role):
    client = _client_for(client, request, role)
    got = tuple(client.get(url).status_code for url in LIST_URLS)
    assert got == LIST_EXPECTED[role]


def test_anonymous_is_sent_to_sign_in(client, cases):
    response = client.get("/work/")
    assert response["Location"].startswith("/accounts/login/?next=/work/")


@pytest.mark.parametrize("role", ["officer", "chair"])
def test_prioritise_on_a_raised_topic(client, request, area, role):
    from tests.factories import TopicFactory

    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/topics/{topic.pk}/prioritise/").status_code == 200


def test_members_may_not_prioritise(client, area, member):
    from tests.factories import TopicFactory

    topic = TopicFactory(partnership=area.partnership, lead_body=area.network)
    client.force_login(member)
    assert client.get(f"/topics/{topic.pk}/prioritise/").status_code == 403


def test_lists_show_only_what_the_user_may_see(client, cases, responder, other_officer):
    client.force_login(responder)
    body = client.get("/topics/").content.decode()
    assert "Dentistry access" in body and "Stroke unit" in body
    assert "Southby maternity" not in body
    client.force_login(other_officer)
    body = client.get("/topics/").content.decode()
    assert "Southby maternity" in body and "Stroke unit" not in body
    body = client.get("/referrals/").content.decode()
    assert "Southby maternity" in body and "Stroke unit" not in body


def test_other_packages_pages_under_a_topic_are_not_shadowed():
    from django.urls import resolve

    assert resolve("/topics/1/withdraw/").url_name == "topic-transition"
    assert resolve("/topics/1/publish/").url_name != "topic-transition"
