"""One way from domain errors to HTTP on the HTML pages (scrutiny.web.errors): the middleware's
403/404/409/400 pages, the form helper, and a scan that no view catches a service error."""

import ast
import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse

from scrutiny.casework import services
from scrutiny.web import errors
from tests.factories import TopicFactory
from workflows.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

WEB = Path(__file__).resolve().parents[2] / "scrutiny" / "web"
DOMAIN_ERRORS = {"DomainError", "Conflict", "Forbidden", "InvalidInput", "NotFound"}
DOMAIN_ERRORS |= {"NeedsConfirmation"}  # an InvalidInput of the meetings service


def _caught_names(handler: ast.ExceptHandler) -> set[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = set()
    for kind in kinds:
        if isinstance(kind, ast.Name):
            names.add(kind.id)
        elif isinstance(kind, ast.Attribute):
            names.add(kind.attr)
    return names


def test_no_view_catches_a_service_error_by_hand():
    """Only scrutiny/web/errors.py turns domain errors into responses."""
    offenders = []
    for path in sorted(WEB.rglob("*.py")):
        if path.name == "errors.py" and path.parent == WEB:
            continue
        source = path.read_text()
        if re.search(
            r"except\s*\(?[\w., ]*\b(DomainError|Conflict|Forbidden|InvalidInput)\b", source
        ):
            offenders.append(f"{path.relative_to(WEB)}: except on a domain error")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = _caught_names(node) & DOMAIN_ERRORS
                if caught:
                    offenders.append(f"{path.relative_to(WEB)}:{node.lineno} catches {caught}")
    assert offenders == []


def test_the_scan_finds_a_hand_written_catch(tmp_path):
    """The scan above can fail: it sees both spellings of a catch."""
    code = "try:\n    pass\nexcept (ValueError, services.Conflict):\n    pass\n"
    handler = next(n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ExceptHandler))
    assert _caught_names(handler) & DOMAIN_ERRORS == {"Conflict"}


# --- The middleware -------------------------------------------------------------------------


def _request(rf, user, path="/somewhere/"):
    request = rf.post(path)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _through_middleware(request, error):
    """What Django does when a view raises `error`: hand it to process_exception."""
    middleware = errors.DomainErrorMiddleware(lambda request: HttpResponse())
    return middleware.process_exception(request, error)


@pytest.mark.django_db
def test_forbidden_is_the_403_page_with_its_message(rf, officer):
    response = _through_middleware(_request(rf, officer), Forbidden("Not your body's topic."))
    assert response.status_code == 403
    body = response.content.decode()
    assert "You cannot do that" in body and "Not your body&#x27;s topic." in body


@pytest.mark.django_db
def test_not_found_is_the_404_page(rf, officer):
    response = _through_middleware(_request(rf, officer), NotFound("No such webhook."))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_a_conflict_is_the_409_page_with_the_subjects_current_state(rf, area, officer):
    topic = TopicFactory(partnership=area.partnership, lead_body=area.network, title="Beds")
    request = _request(rf, officer)
    errors.page_subject(request, topic)
    services.topic_decline(topic=topic, by=officer, reason="Out of scope")  # moved meanwhile
    response = _through_middleware(request, Conflict("Cannot withdraw: it moved."))
    assert response.status_code == 409
    body = response.content.decode()
    assert "Cannot withdraw: it moved." in body
    assert "The topic <strong>Beds</strong> is now" in body
    assert "govuk-tag--pink" in body and "Declined" in body  # read again, not the stale copy
    assert topic.get_absolute_url() in body


@pytest.mark.django_db
def test_a_conflict_without_a_subject_links_back(rf, officer):
    response = _through_middleware(_request(rf, officer, "/a/form/"), Conflict("Too late."))
    assert response.status_code == 409
    body = response.content.decode()
    assert "Too late." in body and 'href="/a/form/"' in body


@pytest.mark.django_db
def test_an_invalid_input_no_form_took_is_the_400_page_with_its_message(rf, officer):
    response = _through_middleware(_request(rf, officer), InvalidInput("Add an agenda item."))
    assert response.status_code == 400
    assert "Add an agenda item." in response.content.decode()


def test_other_errors_are_left_to_django(rf):
    middleware = errors.DomainErrorMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None


# --- The form helpers -----------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField()


def test_place_errors_puts_each_error_on_its_field_or_on_top():
    form = NameForm({"name": "Kept"})
    assert form.is_valid()
    exc = InvalidInput(
        "Check the name.", field_errors={"name": ["Too short."], "elsewhere": "Unknown."}
    )
    errors.place_errors(form, exc)
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Unknown.", "Check the name."]


def test_place_errors_does_not_repeat_a_message_a_field_already_says():
    form = NameForm({"name": "x"})
    form.is_valid()
    errors.place_errors(
        form, InvalidInput("Enter a title.", field_errors={"name": ["Enter a title."]})
    )
    assert form.errors == {"name": ["Enter a title."]}


@pytest.mark.django_db
def test_form_view_keeps_what_was_typed_when_the_service_refuses(rf, officer):
    request = _request(rf, officer)
    request.POST = {"name": "Typed words"}
    request.method = "POST"

    def refuse(data):
        raise InvalidInput("No.", field_errors={"name": ["Not that name."]})

    response = errors.form_view(
        request, NameForm(request.POST), on_valid=refuse, template="scrutiny/topic_raise.html"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Typed words" in body and "Not that name." in body


@pytest.mark.django_db
@pytest.mark.parametrize("error", [Conflict("moved"), Forbidden("no"), NotFound("gone")])
def test_form_view_leaves_other_domain_errors_to_the_middleware(rf, officer, error):
    request = _request(rf, officer)
    request.POST = {"name": "x"}
    request.method = "POST"

    def fail(data):
        raise error

    with pytest.raises(DomainError) as raised:
        errors.form_view(request, NameForm(request.POST), on_valid=fail, template="400.html")
    assert raised.value is error


@pytest.mark.django_db
def test_button_view_shows_an_invalid_input_on_the_page_it_returns_to(rf, officer):
    request = _request(rf, officer)

    def refuse():
        raise InvalidInput("Switch the webhook on first.")

    response = errors.button_view(request, refuse, on_done=lambda _: HttpResponse(), back="/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert [str(m) for m in request._messages] == ["Switch the webhook on first."]
