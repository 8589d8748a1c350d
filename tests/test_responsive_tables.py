"""At 390 px (a small phone) no staff page scrolls sideways (issue 14, Build 8).

Wide tables follow the GOV.UK pattern for tables on small screens: each table sits in a
focusable, labelled region (`.cf-table-wrapper`, role=region, tabindex=0, aria-label) that
scrolls on its own, so the page never does and keyboard users can still scroll the table. The
demo area gives every page realistic data; each page is measured with and without JavaScript.
"""

import os

import pytest
from django.core.management import call_command

from protocols.models import Meeting, Protocol
from scrutiny.casework.models import Consultation, Topic, Visit
from tests.browser_support import axe_violations, chromium_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-demo-pass-390"
WIDTH = 390

# Elements sticking out past the viewport's right edge, to say what made a page too wide.
OVERFLOW = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && r.width > 0) {
      const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
      out.push(name + ' ' + Math.round(r.right));
    }
  }
  return out.slice(0, 5);
}"""


def staff_pages():
    northby = Topic.objects.filter(partnership__slug="northby")
    meeting = Meeting.objects.filter(items__isnull=False).order_by("pk").first()
    return [
        "/work/",
        "/topics/",
        *[f"/topics/{t.pk}/" for t in northby.filter(state__in=["concluded", "response_due"])],
        f"/topics/{northby.get(state='recommendation_made').pk}/",
        "/referrals/",
        "/programme/northby/",
        "/members/",
        "/protocols/",
        f"/protocols/{Protocol.objects.filter(partnership__slug='northby').get().pk}/",
        "/meetings/",
        "/meetings/mine/",
        f"/meetings/{meeting.pk}/",
        "/calendars/",
        "/notifications/",
        "/visits/",
        "/visits/representatives/",
        *[
            f"/visits/{v.pk}/"
            for v in Visit.all_objects.filter(
                network__slug__startswith="northby", state="responded"
            )
        ],
    ]


def consultation_ids(area: str) -> list[int]:
    """The demo's consultation in each state (docs/consultations.md)."""
    return list(
        Consultation.all_objects.filter(committee__slug=f"{area}-hosc").values_list("pk", flat=True)
    )


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def measure(page, base, path):
    page.goto(f"{base}{path}")
    assert page.url.startswith(f"{base}{path.split('?')[0]}"), f"{path} redirected: {page.url}"
    width = page.evaluate("document.documentElement.scrollWidth")
    return width, (page.evaluate(OVERFLOW) if width > WIDTH else [])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_staff_page_scrolls_sideways_at_390px(live_server, monkeypatch, javascript):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pages = {
        "northby-link-officer": staff_pages(),
        "trust-responder": [
            "/work/",
            "/api/keys/",
            "/api/webhooks/",
            "/notifications/",
            *[
                f"/body/visits/{v.pk}/"
                for v in Visit.all_objects.filter(
                    state="published", site__body__slug="northby-hospitals"
                )[:1]
            ],
        ],
        "northby-osc-officer": [
            "/consultations/",
            *[f"/consultations/{pk}/" for pk in consultation_ids("northby")],
            "/register/",
            "/register/northby-hospitals/",
        ],
    }
    too_wide, wrapped = [], 0
    with chromium_page(javascript=javascript) as page:
        page.set_viewport_size({"width": WIDTH, "height": 844})
        for username, paths in pages.items():
            page.context.clear_cookies()
            sign_in(page, live_server.url, username)
            for path in paths:
                width, culprits = measure(page, live_server.url, path)
                if width > WIDTH:
                    too_wide.append((username, path, width, culprits))
                regions = page.locator(".cf-table-wrapper")
                wrapped += regions.count()
                for i in range(regions.count()):
                    region = regions.nth(i)
                    assert region.get_attribute("role") == "region", path
                    assert region.get_attribute("tabindex") == "0", path
                    assert region.get_attribute("aria-label"), path
    assert too_wide == []
    assert wrapped >= 5  # the wide tables really are in scrollable regions


def test_a_wrapped_table_scrolls_by_keyboard_and_passes_axe(live_server, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with chromium_page() as page:
        page.set_viewport_size({"width": WIDTH, "height": 844})
        sign_in(page, live_server.url, "northby-link-officer")
        page.goto(f"{live_server.url}/topics/")
        region = page.locator(".cf-table-wrapper").first
        assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits anyway"
        region.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # Keyboard scrolling may be smooth (animated): wait for it to move, up to 5 s.
        region.element_handle().wait_for_element_state("stable")
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
        assert region.evaluate("el => el.scrollLeft") > 0
        violations = [v["id"] for v in axe_violations(page)]
        assert violations == []
