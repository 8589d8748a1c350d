"""Joint working protocols: list, versions, the section-by-section comparison, sign-off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from protocols import selectors, services
from protocols.models import (
    SECTION_KEYS,
    ProtocolVersion,
    VersionState,
)
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.policy import body_ids, can, owner_ids, visible
from scrutiny.casework.roles import Perm
from scrutiny.web.errors import button_view, form_view, page_subject
from scrutiny.web.joint import forms, presenters

# --- Protocols ------------------------------------------------------------------------------


@require_GET
def protocol_list(request):
    protocols = list(
        selectors.protocols_visible_to(request.user)
        .prefetch_related("partnership__scrutiny_committees")
        .order_by("partnership__name")
    )
    visible_ids = [p.pk for p in protocols]
    versions = {}
    qs = visible(request.user, ProtocolVersion.objects.filter(protocol__in=visible_ids))
    for v in qs.order_by("protocol_id", "number"):
        versions.setdefault(v.protocol_id, []).append(v)
    rows = []
    for p in protocols:
        mine = can(request.user, Perm.PROTOCOL_VIEW, p.partnership)
        shown = versions.get(p.pk, [])
        current = next(
            (v for v in reversed(shown) if v.state in (VersionState.AGREED, "under_review")), None
        )
        rows.append({"protocol": p, "current": current, "versions": shown, "mine": mine})
    return render(
        request,
        "protocols/protocol_list.html",
        {"rows": rows, "can_create": bool(body_ids(request.user, Perm.PROTOCOL_MANAGE))},
    )


def _protocol_for(request, pk):
    return page_subject(
        request, get_object_or_404(selectors.protocols_visible_to(request.user), pk=pk)
    )


@require_GET
def protocol_detail(request, pk):
    protocol = _protocol_for(request, pk)
    versions = list(
        selectors.protocol_versions_visible_to(request.user, protocol).order_by("-number")
    )
    current = next(
        (v for v in versions if v.state in (VersionState.AGREED, VersionState.UNDER_REVIEW)),
        None,
    )
    shown = current or (versions[0] if versions else None)
    return render(
        request,
        "protocols/protocol_detail.html",
        _version_context(request, protocol, shown, versions),
    )


@require_GET
def version_detail(request, pk, number):
    protocol = _protocol_for(request, pk)
    versions = list(
        selectors.protocol_versions_visible_to(request.user, protocol).order_by("-number")
    )
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404("No such version.")
    return render(
        request,
        "protocols/protocol_detail.html",
        _version_context(request, protocol, version, versions),
    )


def _version_context(request, protocol, version, versions):
    actions = presenters.version_actions(request.user, protocol, version, versions)
    sign_offs = list(version.sign_offs.select_related("organisation")) if version else []
    signed_ids = {s.organisation_id for s in sign_offs}
    parties = list(Organisation.objects.filter(pk__in=owner_ids(protocol)))
    my_unsigned = [
        o for o in parties if o.pk not in signed_ids and can(request.user, Perm.PROTOCOL_SIGN, o)
    ]
    return {
        "protocol": protocol,
        "version": version,
        "versions": versions,
        "sign_offs": sign_offs,
        "parties": [{"org": o, "signed": o.pk in signed_ids} for o in parties],
        "actions": actions,
        "sign_form": forms.SignOffForm(
            organisations=Organisation.objects.filter(pk__in=[o.pk for o in my_unsigned])
        )
        if actions.manage and actions.collecting_sign_offs and my_unsigned
        else None,
        "tag": presenters.version_tag(version) if version else None,
    }


@require_GET
def protocol_compare(request, pk):
    protocol = _protocol_for(request, pk)
    versions = {v.number: v for v in selectors.protocol_versions_visible_to(request.user, protocol)}
    try:
        a, b = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError:
        a = b = None
    if a not in versions or b not in versions:
        numbers = sorted(versions)
        if len(numbers) < 2:
            raise Http404("There is only one version to compare.")
        if a is None and b is None and not request.GET:
            a, b = numbers[-2], numbers[-1]
        else:
            return render(
                request,
                "protocols/protocol_compare.html",
                {"protocol": protocol, "numbers": numbers, "error": "Choose two versions."},
                status=400,
            )
    return render(
        request,
        "protocols/protocol_compare.html",
        {
            "protocol": protocol,
            "old": versions[a],
            "new": versions[b],
            "rows": services.protocol_diff(versions[a], versions[b]),
            "numbers": sorted(versions),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def protocol_create(request):
    partnerships = visible(request.user, Partnership.objects.all(), Perm.PROTOCOL_MANAGE)
    if not partnerships.exists():
        raise Http404("You are not an officer of any partnership.")
    form = forms.ProtocolCreateForm(request.POST or None, partnerships=partnerships)

    def create(data):
        protocol = services.protocol_create(
            partnership=data["partnership"], by=request.user, title=data["title"]
        )
        return redirect("protocols:version-edit", protocol.pk, 1)

    return form_view(request, form, on_valid=create, template="protocols/protocol_create.html")


def _managed_version(request, pk, number):
    protocol = _protocol_for(request, pk)
    if not can(request.user, Perm.PROTOCOL_MANAGE, protocol):
        raise Http404("You may not change this protocol.")
    return protocol, page_subject(request, get_object_or_404(protocol.versions, number=number))


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk, number):
    protocol, version = _managed_version(request, pk, number)
    editable = version.state == VersionState.DRAFT
    if version.state == VersionState.SUPERSEDED:
        raise Http404("A superseded version cannot be changed.")
    initial = {k: getattr(version, k) for k in (*SECTION_KEYS, "review_on", "acknowledgement_days")}
    form = forms.ProtocolVersionForm(request.POST or None, initial=initial, text_editable=editable)

    def save(data):
        services.protocol_version_update(version=version, by=request.user, **data)
        messages.success(request, "Protocol saved.")
        return redirect(version)

    return form_view(
        request,
        form,
        on_valid=save,
        template="protocols/version_form.html",
        context={"protocol": protocol, "version": version, "editable": editable},
    )


@login_required
@require_POST
def version_new(request, pk):
    protocol = _protocol_for(request, pk)
    if not can(request.user, Perm.PROTOCOL_MANAGE, protocol):
        raise Http404("You may not change this protocol.")
    return button_view(
        request,
        lambda: services.protocol_version_draft_next(protocol=protocol, by=request.user),
        on_done=lambda version: redirect("protocols:version-edit", protocol.pk, version.number),
        back=protocol,
    )


@login_required
@require_POST
def version_sign(request, pk, number):
    protocol, version = _managed_version(request, pk, number)
    form = forms.SignOffForm(
        request.POST,
        organisations=Organisation.objects.filter(pk__in=owner_ids(protocol)),
    )
    if not form.is_valid():
        messages.error(request, "Choose the body you are signing for.")
        return redirect(version)

    def signed(version):
        messages.success(
            request,
            "Signed off. Every party has signed: this version is agreed and public."
            if version.state == VersionState.AGREED
            else "Signed off. The version is agreed when every party has signed.",
        )
        return redirect(version)

    return button_view(
        request,
        lambda: services.protocol_version_sign_off(
            version=version,
            by=request.user,
            organisation=form.cleaned_data["organisation"],
            signatory_name=form.cleaned_data["signatory_name"],
        ),
        on_done=signed,
        back=version,
    )


@login_required
@require_POST
def version_review(request, pk, number):
    protocol, version = _managed_version(request, pk, number)

    def started(_):
        messages.success(request, "Review started: draft the next version when ready.")
        return redirect(version)

    return button_view(
        request,
        lambda: services.protocol_version_start_review(version=version, by=request.user),
        on_done=started,
        back=version,
    )
