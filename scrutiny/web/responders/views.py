"""Web pages: API keys and webhooks for a health body's responders (and administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import keys as key_service
from api import webhooks as webhook_service
from api.models import ApiKey, Webhook
from scrutiny.casework.policy import can, visible
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import button_view, form_view
from scrutiny.web.responders.forms import ApiKeyForm, WebhookForm


def _need_bodies(user):
    if not can(user, Perm.KEY_MANAGE):
        raise Http404("Only a health body's responders manage its API keys and webhooks.")


def _keys(user):
    related = ("organisation", "user", "created_by", "revoked_by")
    return visible(user, ApiKey.objects.select_related(*related))


def _webhooks(user):
    return visible(user, Webhook.objects.select_related("organisation", "created_by"))


# --- API keys -----------------------------------------------------------------------------------


@login_required
def key_list(request):
    _need_bodies(request.user)
    keys = _keys(request.user)
    return render(
        request,
        "api/key_list.html",
        {"keys": keys, "live": [k for k in keys if k.is_active]},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def key_create(request):
    _need_bodies(request.user)
    form = ApiKeyForm(request.POST or None, by=request.user)

    def issue(data):
        key, raw = key_service.issue_key(
            data["user"], data["organisation"], data["name"], data["scopes"], by=request.user
        )
        return _show_once(request, key, raw)

    return form_view(
        request, form, on_valid=issue, template="api/key_form.html", invalid_status=200
    )


def _key_or_404(request, pk):
    return get_object_or_404(_keys(request.user), pk=pk)


# POST/redirect/GET for a new key: the POST keeps the raw key in the session (server-side rows,
# never the URL or a cookie) and redirects; the "created" page takes it out again, so it is shown
# once and a reload or the back button shows the page without it and makes no second key.
SHOWN_ONCE = "cf_api_key_shown_once"


def _show_once(request, key, raw, rotated=None):
    request.session[SHOWN_ONCE] = {
        "key": key.pk,
        "raw": raw,
        "rotated": rotated.pk if rotated is not None else None,
    }
    return redirect("responders:key-created", pk=key.pk)


@never_cache
@login_required
@require_http_methods(["GET"])
def key_created(request, pk):
    key = _key_or_404(request, pk)
    shown = request.session.get(SHOWN_ONCE)
    raw = rotated = None
    if shown is not None and shown.get("key") == key.pk:
        del request.session[SHOWN_ONCE]
        raw = shown["raw"]
        if shown["rotated"] is not None:
            rotated = _keys(request.user).filter(pk=shown["rotated"]).first()
    return render(request, "api/key_created.html", {"key": key, "raw": raw, "rotated": rotated})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request, pk):
    key = _key_or_404(request, pk)
    if request.method == "POST":
        key_service.revoke_key(key, by=request.user)
        messages.success(request, f"Key {key.prefix}… ({key.name}) is revoked.")
        return redirect("responders:keys")
    return render(request, "api/key_confirm.html", {"key": key, "action": "revoke"})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def key_rotate(request, pk):
    key = _key_or_404(request, pk)
    if not key.is_active:
        raise Http404("A revoked key cannot be rotated.")
    if request.method == "POST":
        new, raw = key_service.rotate_key(key, by=request.user)
        return _show_once(request, new, raw, rotated=key)
    return render(request, "api/key_confirm.html", {"key": key, "action": "rotate"})


# --- Webhooks ----------------------------------------------------------------------------------


@login_required
def webhook_list(request):
    _need_bodies(request.user)
    hooks = _webhooks(request.user)
    return render(request, "api/webhook_list.html", {"webhooks": hooks})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_create(request):
    _need_bodies(request.user)
    form = WebhookForm(request.POST or None, by=request.user)

    def register(data):
        hook, secret = webhook_service.webhook_register(
            organisation=data["organisation"],
            url=data["url"],
            description=data["description"],
            by=request.user,
        )
        return render(request, "api/webhook_created.html", {"webhook": hook, "secret": secret})

    return form_view(
        request, form, on_valid=register, template="api/webhook_form.html", invalid_status=200
    )


@login_required
def webhook_detail(request, pk):
    hook = get_object_or_404(_webhooks(request.user), pk=pk)
    deliveries = hook.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "api/webhook_detail.html",
        {"webhook": hook, "page_obj": page, "query_string": params.urlencode()},
    )


@login_required
@require_POST
def webhook_toggle(request, pk):
    hook = get_object_or_404(_webhooks(request.user), pk=pk)
    hook = webhook_service.webhook_set_active(webhook=hook, by=request.user, active=not hook.active)
    state = "switched on" if hook.active else "switched off"
    messages.success(request, f"Webhook {hook.url} is {state}.")
    return redirect("responders:webhook-detail", pk=hook.pk)


@login_required
@require_POST
def webhook_ping(request, pk):
    hook = get_object_or_404(_webhooks(request.user), pk=pk)

    def queued(_):
        messages.success(
            request, "A test event is queued: it is sent with the next run of the delivery worker."
        )
        return redirect("responders:webhook-detail", pk=hook.pk)

    return button_view(
        request,
        lambda: webhook_service.webhook_ping(webhook=hook, by=request.user),
        on_done=queued,
        back=reverse("responders:webhook-detail", args=[hook.pk]),
    )


# --- Problem types and documentation assets ----------------------------------------------------
