"""The page template, its includes, the GOV.UK form renderer, login and error pages."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.factories import UserFactory

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / "govuk-frontend"


def header_of(html):
    return html.split('<header class="govuk-template__header">', 1)[1].split("</header>", 1)[0]


def render_base(user, path="/", **context):
    request = RequestFactory().get(path)
    request.user = user
    return render_to_string("base.html", context, request=request)


# --- the page template --------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_has_the_govuk_page_structure(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert '<body class="govuk-template__body">' in html
    assert '<script src="/static/js/js-enabled.js"></script>' in html  # adds the js classes
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert "<title>Sign in – Critical Friend</title>" in html
    header = header_of(html)
    assert ">Critical Friend</a>" in header
    assert "<svg" not in header  # no crown, no logotype
    assert "govuk-header__logotype" not in html
    assert "govuk-footer__crown" not in html
    assert 'href="/accounts/login/">Sign in</a>' in header
    assert "Sign out" not in header
    assert 'href="/accessibility/"' in html


@pytest.mark.django_db
def test_every_stylesheet_and_script_resolves_to_a_static_file(client):
    html = client.get("/accounts/login/").content.decode()

    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert f"{settings.STATIC_URL}vendor/govuk-frontend/govuk-frontend.min.css" in stylesheets
    assert scripts == [f"{settings.STATIC_URL}js/js-enabled.js", f"{settings.STATIC_URL}js/init.js"]
    for url in stylesheets + scripts:
        assert url.startswith(settings.STATIC_URL)
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    # The module script imports GOV.UK Frontend from the vendored copy, relative to itself.
    init = finders.find("js/init.js")
    (imported,) = re.findall(r'from "([^"]+)"', Path(init).read_text())
    assert imported == "../vendor/govuk-frontend/govuk-frontend.min.js"
    assert finders.find("vendor/govuk-frontend/govuk-frontend.min.js")


def test_vendored_css_uses_the_system_font_and_references_only_shipped_files():
    css = (VENDOR / "govuk-frontend.min.css").read_text()

    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,sans-serif" in css
    for url in re.findall(r'url\("?([^")]+)"?\)', css):
        assert url.startswith("data:") or (VENDOR / url).is_file(), url
    # A manifest storage (whitenoise in production) would fail on a missing source map.
    assert "sourceMappingURL" not in (VENDOR / "govuk-frontend.min.js").read_text()


@pytest.mark.django_db
def test_failed_login_keeps_the_username_and_shows_the_error_summary(client):
    UserFactory(username="alice")

    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Sign in – Critical Friend</title>" in html
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_username">Please enter a correct username and password.' in summary
    assert re.search(r'<input class="govuk-input" type="text" name="username" value="alice"', html)
    assert 'name="password" value=' not in html


@pytest.mark.django_db
def test_successful_login_redirects(client):
    UserFactory(username="alice")

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_missing_page_uses_the_404_template(client):
    response = client.get("/no-such-page-anywhere/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found – Critical Friend</title>" in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert 'id="main-content"' in html
    assert "<svg" not in header_of(html)


@pytest.mark.parametrize("name", ["400.html", "500.html"])
def test_error_pages_render_without_a_request_or_database(name):
    # Django renders these with an empty context; no `db` fixture, so a query would fail.
    html = render_to_string(name)

    assert 'id="main-content"' in html
    assert "Sorry, there is a problem" in html
    assert "/static/vendor/govuk-frontend/govuk-frontend.min.css" in html


@pytest.mark.django_db
def test_403_page_renders(rf, officer):
    request = rf.get("/topics/")
    request.user = officer

    html = render_to_string("403.html", request=request)

    assert '<h1 class="govuk-heading-l">You cannot do that</h1>' in html


# --- navigation ---------------------------------------------------------------------------

STAFF_NAV = [
    "/work/",
    "/topics/",
    "/meetings/",
    "/visits/",
    "/consultations/",
    "/register/",
    "/search/",
]
PUBLIC_NAV = [
    "/outcomes/",
    "/health-bodies/",
    "/enter-and-view/",
    "/meetings/",
    "/service-changes/",
    "/suggest/",
    "/search/",
]
RESPONDER_NAV = ["/body/", "/api/keys/", "/api/webhooks/"]
SIGNED_IN = ["/notifications/"]


def nav_hrefs(html):
    return re.findall(r'class="govuk-service-navigation__link" href="([^"?]+)', header_of(html))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", [*STAFF_NAV, *SIGNED_IN]),
        ("osc_officer", [*STAFF_NAV, *SIGNED_IN]),
        ("member", [*STAFF_NAV, *SIGNED_IN]),
        ("chair", [*STAFF_NAV, *SIGNED_IN]),
        ("responder", [*PUBLIC_NAV, *RESPONDER_NAV, *SIGNED_IN]),
        ("resident", [*PUBLIC_NAV, "/accounts/login/"]),
    ],
)
def test_navigation_depends_on_the_role(request, role, expected):
    user = request.getfixturevalue(role)

    html = render_base(user)

    assert nav_hrefs(html) == expected
    assert ('action="/accounts/logout/"' in html) == user.is_authenticated
    if user.is_authenticated:
        assert 'name="csrfmiddlewaretoken"' in header_of(html)
    assert 'href="/admin/"' not in html


@pytest.mark.django_db
def test_a_user_with_staff_and_responder_roles_gets_the_staff_navigation(officer, area):
    from scrutiny.casework.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(user=officer, organisation=area.trust, role=Membership.Role.RESPONDER)

    assert nav_hrefs(render_base(officer)) == [*STAFF_NAV, *RESPONDER_NAV, *SIGNED_IN]


@pytest.mark.django_db
def test_admin_link_only_for_django_staff(officer):
    officer.is_staff = True

    assert nav_hrefs(render_base(officer)) == [*STAFF_NAV, *SIGNED_IN, "/admin/"]


@pytest.mark.django_db
def test_navigation_costs_one_query_for_a_signed_in_user(officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        render_base(officer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "current", "value"),
    [("/topics/", "/topics/", "page"), ("/topics/12/", "/topics/", "true"), ("/", None, None)],
)
def test_current_navigation_item_is_marked(officer, path, current, value):
    header = header_of(render_base(officer, path=path))

    marked = re.findall(r'href="([^"]+)" aria-current="([^"]+)"', header)
    assert marked == ([(current, value)] if current else [])


def test_messages_render_as_notification_banners(resident):
    messages = [
        Message(message_levels.SUCCESS, "Topic prioritised."),
        Message(message_levels.WARNING, "The response is late."),
    ]

    html = render_base(resident, messages=messages)

    success, important = re.findall(r'<div class="govuk-notification-banner[ "].*?</p>', html, re.S)
    assert 'govuk-notification-banner--success" role="alert"' in success
    assert "Success</h2>" in success and "Topic prioritised." in success
    assert '<div class="govuk-notification-banner" role="region"' in important
    assert 'aria-labelledby="cf-message-title-2"' in important
    assert "Important</h2>" in important and "The response is late." in important


# --- includes -----------------------------------------------------------------------------


def test_pagination_keeps_the_query_string_and_elides_pages():
    page = Paginator(range(100), 10).page(5)

    html = render_to_string(
        "includes/pagination.html", {"page_obj": page, "query_string": "state=raised&sort=due"}
    )

    links = re.findall(r'href="\?([^"]+)"', html)
    assert links[0] == "state=raised&amp;sort=due&amp;page=4"  # previous
    assert [link.rsplit("=", 1)[1] for link in links[1:-1]] == ["1", "4", "5", "6", "10"]
    assert links[-1] == "state=raised&amp;sort=due&amp;page=6"  # next
    assert html.count("govuk-pagination__item--ellipsis") == 2
    assert 'aria-label="Page 5" aria-current="page"' in html


def test_pagination_without_a_query_string_and_on_a_single_page():
    first = Paginator(range(30), 10).page(1)

    html = render_to_string("includes/pagination.html", {"page_obj": first})

    assert 'href="?page=2"' in html
    assert 'rel="prev"' not in html
    single = Paginator(range(3), 10).page(1)
    assert render_to_string("includes/pagination.html", {"page_obj": single}).strip() == ""


def test_tag_include():
    html = render_to_string(
        "includes/tag.html", {"label": "Response due", "tag_class": "govuk-tag--yellow"}
    )

    assert html.strip() == '<strong class="govuk-tag govuk-tag--yellow">Response due</strong>'


# --- the GOV.UK form renderer -------------------------------------------------------------


class ExampleForm(forms.Form):
    title = forms.CharField(help_text="A short name for the topic.")
    email = forms.EmailField(required=False)
    body = forms.CharField(widget=forms.Textarea)
    body_kind = forms.ChoiceField(choices=[("", "Choose"), ("trust", "NHS trust")])
    decision = forms.ChoiceField(
        choices=[("agree", "Agree"), ("differ", "Agree to differ")], widget=forms.RadioSelect
    )
    criteria = forms.MultipleChoiceField(
        choices=[("a", "Affects many"), ("b", "Inequality")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confirm = forms.BooleanField(label="I have checked the details")
    letter = forms.FileField(required=False)

    def clean(self):
        raise forms.ValidationError("This topic has just been changed by someone else.")


def bound_form():
    return ExampleForm(data={"email": "not-an-email", "body_kind": "trust", "criteria": ["b"]})


def test_field_with_an_error_renders_govuk_markup():
    form = bound_form()

    html = form["title"].as_field_group()

    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert '<label class="govuk-label" for="id_title">Title</label>' in html
    assert (
        '<div class="govuk-hint" id="id_title_helptext">A short name for the topic.</div>' in html
    )
    assert (
        '<p class="govuk-error-message" id="id_title_error">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    widget = re.search(r"<input[^>]*>", html).group(0)
    assert 'class="govuk-input govuk-input--error"' in widget
    assert 'aria-describedby="id_title_helptext id_title_error"' in widget
    assert 'aria-invalid="true"' in widget


def test_valid_field_keeps_the_submitted_value_without_error_classes():
    form = bound_form()

    html = form["body_kind"].as_field_group()

    assert '<div class="govuk-form-group">' in html
    assert '<select class="govuk-select" name="body_kind"' in html
    assert '<option value="trust" selected>NHS trust</option>' in html
    email = form["email"].as_field_group()
    assert 'value="not-an-email"' in email
    assert "Email (optional)</label>" in email
    assert 'class="govuk-input govuk-input--error"' in email


def test_textarea_file_and_single_checkbox():
    form = bound_form()

    assert '<textarea class="govuk-textarea govuk-textarea--error" name="body"' in str(form["body"])
    assert '<input class="govuk-file-upload" type="file" name="letter"' in str(form["letter"])
    confirm = form["confirm"].as_field_group()
    assert '<div class="govuk-checkboxes govuk-checkboxes--small"' in confirm
    assert re.search(
        r'<input class="govuk-checkboxes__input" type="checkbox" name="confirm"', confirm
    )
    assert (
        '<label class="govuk-label govuk-checkboxes__label" for="id_confirm">'
        "I have checked the details</label>"
    ) in confirm


def test_radios_and_checkboxes_use_a_fieldset_with_legend():
    form = bound_form()

    radios = form["decision"].as_field_group()
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_decision_error">' in radios
    assert '<legend class="govuk-fieldset__legend">Decision</legend>' in radios
    assert '<div class="govuk-radios" id="id_decision" data-module="govuk-radios">' in radios
    assert re.search(r'<input class="govuk-radios__input" type="radio" name="decision"', radios)
    assert 'id="id_decision_0"' in radios
    assert '<label class="govuk-label govuk-radios__label" for="id_decision_1">' in radios
    checkboxes = form["criteria"].as_field_group()
    assert "Criteria (optional)</legend>" in checkboxes
    assert re.search(r'value="b"[^>]* checked', checkboxes)
    assert not re.search(r'value="a"[^>]* checked', checkboxes)


def test_whole_form_and_error_summary():
    form = bound_form()

    html = str(form)
    summary = render_to_string("includes/error_summary.html", {"form": form})

    assert html.count('class="govuk-form-group') == 9  # 8 fields + the non-field errors
    assert "This topic has just been changed by someone else." in html
    assert "<li>This topic has just been changed by someone else.</li>" in summary
    for anchor in ["#id_title", "#id_email", "#id_body", "#id_decision_0", "#id_confirm"]:
        assert f'<a href="{anchor}">' in summary
    assert '<a href="#id_body_kind">' not in summary  # valid fields are not listed


def test_error_summary_is_empty_for_a_valid_or_unbound_form():
    assert render_to_string("includes/error_summary.html", {"form": ExampleForm()}).strip() == ""


# --- in a browser -------------------------------------------------------------------------


@pytest.mark.browser
def test_login_pages_pass_axe_and_work_without_javascript(live_server):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    UserFactory(username="alice")
    axe = Axe()

    def violations(page, javascript):
        # axe needs JavaScript; with it off, the page is checked for behaviour only.
        if not javascript:
            return []
        page.wait_for_load_state("load")  # a click returns before the next page has loaded
        return axe.run(page).response["violations"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        try:
            for javascript in (True, False):
                context = browser.new_context(java_script_enabled=javascript)
                context.set_default_timeout(20_000)
                page = context.new_page()
                page.goto(f"{live_server.url}/accounts/login/?next=/accounts/password_change/")
                expect(page.get_by_role("link", name="Suggest a topic")).to_be_visible()
                assert violations(page, javascript) == []

                page.get_by_label("Username").fill("alice")
                page.get_by_label("Password").fill("wrong")
                page.get_by_role("button", name="Sign in").click()

                expect(page).to_have_title("Error: Sign in – Critical Friend")
                expect(page.locator(".govuk-error-summary")).to_be_visible()
                assert page.get_by_label("Username").input_value() == "alice"
                assert violations(page, javascript) == []

                page.get_by_label("Password").fill("correct-horse-battery")
                page.get_by_role("button", name="Sign in").click()

                expect(page).to_have_title("Change your password – Critical Friend")
                assert page.get_by_role("link", name="My work").count() == 0  # no staff role
                expect(page.get_by_role("button", name="Sign out")).to_be_visible()
                assert violations(page, javascript) == []
                context.close()
        finally:
            browser.close()
