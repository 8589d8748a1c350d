import pytest

from tests.public.builders import build_topic


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/outcomes/",
        "/health-bodies/",
        "/data/",
        "/suggest/",
        "/outcomes/feed.atom",
        "/data/outcomes.csv",
        "/data/outcomes.json",
        "/data/recommendations.csv",
        "/data/responses.json",
        "/data/requests.csv",
    ],
)
def test_pages_answer(client, area, officer, responder, url):
    build_topic(area, officer, responder)
    r = client.get(url)
    assert r.status_code == 200, r.content[:2000]


def test_outcome_page(client, area, officer, responder):
    t = build_topic(area, officer, responder)
    r = client.get(f"/outcomes/{t.pk}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "40 beds" in body and "Keep the unit open" in body and "The unit stays" in body
    r = client.get(f"/health-bodies/{area.trust.slug}/")
    assert r.status_code == 200
    assert "<svg" in r.content.decode()


def test_the_footer_links_to_an_accessibility_statement(client, db):
    home = client.get("/").content.decode()
    assert 'href="/accessibility/"' in home
    page = client.get("/accessibility/")
    assert page.status_code == 200
    assert "WCAG" in page.content.decode()
