"""Who answers for a health body: its responders see each other and their invitations, invite
colleagues and remove access; officers invite a person at a body their topics have asked;
an invited person accepts with a username and a password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from scrutiny.casework import policy, services
from scrutiny.casework.models import Invitation, Membership, Organisation
from scrutiny.web.errors import button_view, form_view


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Their e-mail address",
        error_messages={
            "required": "Enter their e-mail address.",
            "invalid": "Enter an e-mail address, like name@example.org.",
        },
    )
    name = forms.CharField(label="Their name (optional)", required=False, max_length=200)


class AcceptForm(forms.Form):
    username = forms.CharField(
        label="Choose a username",
        max_length=150,
        error_messages={"required": "Choose a username."},
    )
    full_name = forms.CharField(label="Your name (optional)", required=False, max_length=200)
    password = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(render_value=True),
        help_text="At least 8 characters, not a common password, not like your name or address.",
        error_messages={"required": "Choose a password."},
    )
    password_again = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(render_value=True),
        error_messages={"required": "Type the password again."},
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") != data["password"]:
            self.add_error("password_again", "The two passwords are not the same.")
        return data


def _body(request, pk) -> Organisation:
    body = get_object_or_404(Organisation, pk=pk, kind=Organisation.Kind.HEALTH_BODY)
    if not policy.can_invite_to(request.user, body):
        raise PermissionDenied(f"You may not invite people to {body}.")
    return body


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, pk):
    body = _body(request, pk)
    form = InviteForm(request.POST or None)

    def send(data):
        services.invitation_send(
            organisation=body, email=data["email"], name=data["name"], by=request.user
        )
        messages.success(request, f"Invitation sent to {data['email']}.")
        if policy.can_manage_people_of(request.user, body):
            return redirect("bodies:people", pk=body.pk)
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("scrutiny:dashboard")

    return form_view(
        request,
        form,
        on_valid=send,
        template="bodies/invite.html",
        context={"body": body, "next": request.GET.get("next", "")},
    )


@login_required
@require_http_methods(["GET"])
def people(request, pk):
    body = get_object_or_404(Organisation, pk=pk, kind=Organisation.Kind.HEALTH_BODY)
    if not policy.can_manage_people_of(request.user, body):
        raise PermissionDenied("Only the body's own responders see who answers for it.")
    responders = policy.responder_memberships(body)
    invitations = body.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")
    return render(
        request,
        "bodies/people.html",
        {"body": body, "responders": responders, "invitations": invitations},
    )


@login_required
@require_POST
def remove(request, pk, membership_pk):
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=membership_pk,
        organisation_id=pk,
    )

    def call():
        name = membership.user.get_username()
        services.responder_remove(membership=membership, by=request.user)
        return name

    return button_view(
        request,
        call,
        on_done=lambda name: _done(request, f"{name} can no longer answer for the body.", pk),
        back=reverse("bodies:people", args=[pk]),
    )


@login_required
@require_POST
def revoke(request, pk, invitation_pk):
    invitation = get_object_or_404(Invitation, pk=invitation_pk, organisation_id=pk)
    return button_view(
        request,
        lambda: services.invitation_revoke(invitation=invitation, by=request.user),
        on_done=lambda inv: _done(request, f"Invitation of {inv.email} withdrawn.", pk),
        back=reverse("bodies:people", args=[pk]),
    )


def _done(request, text, pk):
    messages.success(request, text)
    return redirect("bodies:people", pk=pk)


@require_http_methods(["GET", "POST"])
def accept(request, token):
    """The invitation link: anyone holding it may accept, once, before it expires."""
    invitation, problem = services.invitation_lookup(token)
    if problem:
        # Unknown: 404. Used, withdrawn or expired: 410, and the page says which.
        return render(
            request,
            "bodies/invitation_unusable.html",
            {"message": problem},
            status=404 if invitation is None else 410,
        )
    form = AcceptForm(request.POST or None, initial={"full_name": invitation.name})

    def accept_it(data):
        user = services.invitation_accept(
            token=token,
            username=data["username"],
            password=data["password"],
            full_name=data["full_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome. You can now answer for {invitation.organisation}.")
        return redirect("bodies:inbox")

    return form_view(
        request,
        form,
        on_valid=accept_it,
        template="bodies/accept.html",
        context={"invitation": invitation},
    )
