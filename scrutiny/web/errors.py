"""One way from domain errors to HTTP for every HTML page (the API has its own: api.errors).

Services raise the errors of `workflows.errors`; no view catches them by hand:

- `DomainErrorMiddleware` answers whatever a view lets through: `Forbidden` → the 403 page,
  `NotFound` → the 404 page, `Conflict` → the 409 conflict page saying where the object stands
  now, and any other `DomainError` (an `InvalidInput` no form took) → the 400 page with its
  message.
- `form_view` is the one shape of a page with a form: it validates the form, calls the service
  and, on `InvalidInput`, puts the errors on the form and renders it again with what was typed.
- `button_view` is the one shape of a button that POSTs without a form: `InvalidInput` becomes
  an error message on the page the button sends you back to.
- `page_subject` names the object a page is about (the object loaders call it), so the conflict
  page can say what it is now and link to it.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from scrutiny.web import presenters
from workflows.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

SUBJECT_ATTR = "cf_page_subject"


def page_subject(request: HttpRequest, obj):
    """Record `obj` as what this page is about (for the conflict page); return it."""
    setattr(request, SUBJECT_ATTR, obj)
    return obj


# --- Form errors ----------------------------------------------------------------------------


def place_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a domain error on `form`: each field error on its field (on top when the form has no
    such field), and the message on top unless a field error already says it."""
    said = set()
    for name, messages_ in (exc.field_errors or {}).items():
        target = name if name in form.fields else None
        for message in messages_ if isinstance(messages_, list | tuple) else [messages_]:
            form.add_error(target, str(message))
            said.add(str(message))
    if exc.message not in said:
        form.add_error(None, exc.message)


def form_view(
    request: HttpRequest,
    form: forms.Form,
    *,
    on_valid: Callable[[dict], HttpResponse],
    template: str,
    context: dict | None = None,
    invalid_status: int = 400,
) -> HttpResponse:
    """The one shape of a page with a form.

    GET: the page with the form (200). POST: when the form is valid, `on_valid(cleaned_data)`
    calls the service and returns the response (usually a redirect). When the form is invalid,
    or the service raises `InvalidInput`, the page is rendered again with the errors on the form
    and what was typed (`invalid_status`). Forbidden, NotFound and Conflict are left to
    `DomainErrorMiddleware`.

    A form may define `add_domain_error(exc)` to show an `InvalidInput` its own way (the meeting
    form shows warnings to confirm); otherwise `place_errors` puts it on the fields.
    """
    if request.method == "POST":
        if form.is_valid():
            try:
                return on_valid(form.cleaned_data)
            except InvalidInput as exc:
                if hasattr(form, "add_domain_error"):
                    form.add_domain_error(exc)
                else:
                    place_errors(form, exc)
        status = invalid_status
    else:
        status = 200
    return render(request, template, {"form": form, **(context or {})}, status=status)


def button_view(
    request: HttpRequest,
    call: Callable[[], object],
    *,
    on_done: Callable[[object], HttpResponse],
    back,
) -> HttpResponse:
    """A button that POSTs without a form: `call()` the service and return `on_done(result)`;
    on `InvalidInput` show its message on `back` (a URL or an object with a URL)."""
    try:
        result = call()
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return on_done(result)


# --- Error pages ----------------------------------------------------------------------------


def conflict_page(request: HttpRequest, exc: Conflict) -> HttpResponse:
    """409: what could not be done, and where the page's object stands now."""
    subject = getattr(request, SUBJECT_ATTR, None)
    if subject is not None and getattr(subject, "pk", None) is not None:
        try:
            subject.refresh_from_db()
        except ObjectDoesNotExist:
            subject = None
    return render(
        request,
        "scrutiny/conflict.html",
        {
            "message": exc.message,
            "standing": presenters.standing(subject) if subject is not None else None,
            "back_url": request.get_full_path(),
        },
        status=409,
    )


def bad_request_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "400.html", {"message": exc.message}, status=400)


def error_response(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    """The page for a domain error, or None for any other exception."""
    if isinstance(exc, Forbidden):
        return response_for_exception(request, PermissionDenied(exc.message))
    if isinstance(exc, NotFound):
        return response_for_exception(request, Http404(exc.message))
    if isinstance(exc, Conflict):
        return conflict_page(request, exc)
    if isinstance(exc, DomainError):
        return bad_request_page(request, exc)
    return None


class DomainErrorMiddleware:
    """Turns a domain error that a view let through into its page (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return error_response(request, exception)
