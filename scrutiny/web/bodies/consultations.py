"""A health body's consultations on its own pages: the list, and submitting one to a scrutiny
committee (docs/consultations.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from scrutiny.casework import inbox as inboxes
from scrutiny.casework import services
from scrutiny.casework.models import ConsultationChannel, Organisation
from scrutiny.casework.policy import consultations_visible_to
from scrutiny.web import presenters
from scrutiny.web.errors import form_view
from scrutiny.web.staff.forms import ConsultationForm


def _bodies(request):
    bodies = inboxes.responder_bodies(request.user)
    if not bodies:
        raise PermissionDenied("This page is for the responders of a health body.")
    return bodies


@login_required
@require_GET
def consultations(request):
    bodies = _bodies(request)
    today = timezone.localdate()
    rows = [
        presenters.consultation_row(c, today=today)
        for c in consultations_visible_to(request.user)
        .filter(body__in=bodies)
        .select_related("body", "committee")
        .order_by("-received_on", "-id")[:200]
    ]
    return render(request, "bodies/consultations.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request):
    bodies = _bodies(request)
    form = ConsultationForm(
        request.POST or None,
        committees=Organisation.objects.filter(kind=Organisation.Kind.SCRUTINY_COMMITTEE),
        bodies=Organisation.objects.filter(pk__in=[b.pk for b in bodies]),
        initial={"received_on": timezone.localdate()},
    )

    def submit(data):
        documents = []
        if data.get("document_title") or data.get("document_url"):
            documents = [(data.get("document_title"), data.get("document_url"))]
        services.consultation_record(
            by=request.user,
            body=data["body"],
            committee=data["committee"],
            title=data["title"],
            what_changes=data["what_changes"],
            who_is_affected=data["who_is_affected"],
            received_on=data["received_on"],
            proposed_decision_on=data["proposed_decision_on"],
            comments_due_on=data["comments_due_on"],
            channel=ConsultationChannel.WEB,
            documents=documents,
        )
        messages.success(request, "Consultation sent to the committee.")
        return redirect("bodies:consultations")

    return form_view(
        request,
        form,
        on_valid=submit,
        template="scrutiny/consultation_form.html",
        context={"heading": "Consult a scrutiny committee", "back_url": "/body/consultations/"},
    )
