"""Pages for protocols, meetings, agendas, minutes and calendars. Thin: they validate input,
call a service or a selector, and render. What a user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from protocols import feeds, imports, selectors, services
from protocols.models import (
    SECTION_KEYS,
    AgendaItem,
    Meeting,
    ProtocolVersion,
    Resolution,
    VersionState,
)
from protocols.permissions import (
    can_manage,
    chairs_of,
    is_meeting_member,
    officer_body_ids,
    protocol_party_ids,
    staff_body_ids,
)
from scrutiny.casework.models import Organisation, Partnership, Topic
from scrutiny.web.joint import forms, presenters
from workflows.errors import DomainError

# --- Helpers --------------------------------------------------------------------------------


def _form_errors(form, exc: DomainError):
    """Put a domain error on the form: on its fields where they match, otherwise on top."""
    placed = False
    for name, errs in (exc.field_errors or {}).items():
        for err in errs if isinstance(errs, list | tuple) else [errs]:
            if name in form.fields:
                form.add_error(name, err)
                placed = True
    if not placed or exc.message not in str(exc.field_errors):
        form.add_error(None, exc.message)


def _status(exc: DomainError) -> int:
    return 404 if exc.status == 404 else 400 if exc.status in (400, 409) else exc.status


def _organisers(user):
    """Bodies and partnerships whose meetings `user` manages (support officer)."""
    if user.is_superuser:
        bodies = Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY)
        partnerships = Partnership.objects.all()
    else:
        ids = officer_body_ids(user)
        bodies = Organisation.objects.filter(pk__in=ids).exclude(kind=Organisation.Kind.HEALTH_BODY)
        partnerships = Partnership.objects.filter(
            Q(involvement_network__in=ids) | Q(scrutiny_committees__in=ids)
        ).distinct()
    return forms.organiser_choices(bodies.order_by("name"), partnerships.order_by("name"))


def _managed_meeting(request, pk) -> Meeting:
    return get_object_or_404(
        selectors.meetings_managed_by(request.user).select_related("body", "partnership"), pk=pk
    )


def _managed_item(request, pk, item_pk) -> tuple[Meeting, AgendaItem]:
    meeting = _managed_meeting(request, pk)
    return meeting, get_object_or_404(meeting.items.select_related("topic"), pk=item_pk)


def _meeting_topics(meeting):
    from protocols.permissions import meeting_body_ids

    ids = meeting_body_ids(meeting)
    return Topic.objects.filter(
        Q(body__in=ids)
        | Q(partnership__involvement_network__in=ids)
        | Q(partnership__scrutiny_committees__in=ids)
    ).distinct()


# --- Meetings: public and members' pages ----------------------------------------------------


@require_GET
def meeting_list(request):
    today = timezone.localdate()
    visible = selectors.meetings_visible_to(request.user)
    upcoming = list(selectors.upcoming(visible, today)[:100])
    page = Paginator(selectors.past(visible, today), 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "protocols/meeting_list.html",
        {
            "upcoming": [presenters.meeting_row(m) for m in upcoming],
            "past": [presenters.meeting_row(m) for m in page.object_list],
            "page_obj": page,
            "query_string": params.urlencode(),
            "can_schedule": len(_organisers(request.user)) > 1
            if request.user.is_authenticated
            else False,
            "feed_url": reverse("protocols:calendar-public"),
            "webcal_url": feeds.webcal(reverse("protocols:calendar-public")),
        },
    )


@require_GET
def meeting_detail(request, pk):
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    items = list(selectors.agenda_items_for(request.user, meeting))
    member = is_meeting_member(request.user, meeting)
    manage = can_manage(request.user, meeting)
    if meeting.is_joint:
        feed_path = reverse("protocols:calendar-partnership", args=[meeting.partnership.slug])
    else:
        feed_path = reverse("protocols:calendar-body", args=[meeting.body.slug])
    return render(
        request,
        "protocols/meeting_detail.html",
        {
            "meeting": meeting,
            "m": presenters.meeting_row(meeting),
            "items": [presenters.item_row(it) for it in items],
            "is_member": member,
            "can_manage": manage,
            "can_mark_held": manage
            and meeting.state == "scheduled"
            and meeting.date <= timezone.localdate(),
            "has_hidden_items": not member
            and meeting.agenda_published
            and meeting.items.filter(exempt=True).exists(),
            "feed_url": feed_path,
            "webcal_url": feeds.webcal(feed_path),
            "Resolution": Resolution,
        },
    )


@require_GET
def paper_download(request, pk):
    paper = get_object_or_404(selectors.papers_visible_to(request.user), pk=pk)
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=paper.original_name, content_type=paper.content_type
    )


@login_required
@require_GET
def my_meetings(request):
    today = timezone.localdate()
    mine = selectors.meetings_for_member(request.user)
    return render(
        request,
        "protocols/my_meetings.html",
        {
            "upcoming": [presenters.meeting_row(m) for m in selectors.upcoming(mine, today)[:50]],
            "recent": [presenters.meeting_row(m) for m in selectors.past(mine, today)[:10]],
        },
    )


@login_required
@require_GET
def meeting_pack(request, pk):
    """The agenda pack for members: every item in order with its papers; printable."""
    meeting = get_object_or_404(selectors.meetings_for_member(request.user), pk=pk)
    items = list(selectors.agenda_items_for(request.user, meeting))
    return render(
        request,
        "protocols/meeting_pack.html",
        {
            "meeting": meeting,
            "m": presenters.meeting_row(meeting),
            "items": [presenters.item_row(it) for it in items],
            "printed_at": timezone.localtime(),
        },
    )


# --- Meetings: officers ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    organisers = _organisers(request.user)
    if len(organisers) <= 1:
        raise Http404("You do not manage any body's meetings.")
    form = forms.MeetingForm(request.POST or None, organisers=organisers)
    warnings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        body, partnership = forms.resolve_organiser(d["organiser"])
        try:
            meeting = services.meeting_create(
                by=request.user,
                body=body,
                partnership=partnership,
                title=d["title"],
                date=d["date"],
                start_time=d["start_time"],
                end_time=d["end_time"],
                place=d["place"],
                online_url=d["online_url"],
                confirm=d["confirm"],
            )
        except services.NeedsConfirmation as exc:
            warnings = exc.warnings
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Meeting scheduled.")
            return redirect(meeting)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "protocols/meeting_form.html",
        {"form": form, "warnings": warnings, "title": "Schedule a meeting"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _managed_meeting(request, pk)
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    form = forms.MeetingForm(request.POST or None, initial=initial, editing=True)
    warnings = []
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        confirm = d.pop("confirm")
        try:
            services.meeting_update(meeting=meeting, by=request.user, confirm=confirm, **d)
        except services.NeedsConfirmation as exc:
            warnings = exc.warnings
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Meeting updated.")
            return redirect(meeting)
    return render(
        request,
        "protocols/meeting_form.html",
        {"form": form, "warnings": warnings, "meeting": meeting, "title": "Change the meeting"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_import(request):
    organisers = _organisers(request.user)
    if len(organisers) <= 1:
        raise Http404("You do not manage any body's meetings.")
    form = forms.ImportForm(request.POST or None, request.FILES or None, organisers=organisers)
    result = None
    if request.method == "POST" and form.is_valid():
        body, partnership = forms.resolve_organiser(form.cleaned_data["organiser"])
        try:
            result = imports.meetings_import_ics(
                by=request.user,
                uploaded=form.cleaned_data["file"],
                body=body,
                partnership=partnership,
            )
        except DomainError as exc:
            _form_errors(form, exc)
    return render(
        request,
        "protocols/meeting_import.html",
        {"form": form, "result": result},
        status=400 if request.method == "POST" and result is None else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.AgendaItemForm(
        request.POST or None, topics=_meeting_topics(meeting), late=meeting.agenda_published
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Item added to the agenda.")
            return redirect(meeting)
    return render(
        request,
        "protocols/item_form.html",
        {"form": form, "meeting": meeting, "title": "Add an agenda item"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    initial = {
        k: getattr(item, k)
        for k in (
            "title",
            "presenter",
            "summary",
            "exempt",
            "topic",
            "exempt_paragraph",
            "public_interest_reason",
        )
    }
    form = forms.AgendaItemForm(
        request.POST or None, initial=initial, topics=_meeting_topics(meeting), late=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(item=item, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Agenda item updated.")
            return redirect(meeting)
    return render(
        request,
        "protocols/item_form.html",
        {"form": form, "meeting": meeting, "item": item, "title": "Change the agenda item"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def item_move(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    services.agenda_item_move(item=item, by=request.user, up=request.POST.get("direction") == "up")
    return redirect(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def paper_add(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    form = forms.PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_add(
                item=item,
                by=request.user,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Paper added.")
            return redirect(meeting)
    return render(
        request,
        "protocols/paper_form.html",
        {"form": form, "meeting": meeting, "item": item},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_publish(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.PublishForm(request.POST or None, chairs=chairs_of(meeting))
    late = meeting.due_on is not None and timezone.localdate() > meeting.due_on
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_publish_agenda(
                meeting=meeting,
                by=request.user,
                urgency_reason=form.cleaned_data["urgency_reason"],
                chair=form.cleaned_data["chair"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Agenda published.")
            return redirect(meeting)
    return render(
        request,
        "protocols/meeting_publish.html",
        {"form": form, "meeting": meeting, "m": presenters.meeting_row(meeting), "late": late},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Meeting cancelled.")
            return redirect(meeting)
    return render(
        request,
        "protocols/meeting_cancel.html",
        {"form": form, "meeting": meeting},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def meeting_held(request, pk):
    meeting = _managed_meeting(request, pk)
    try:
        services.meeting_mark_held(meeting=meeting, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Meeting marked as held: record the minutes item by item.")
    return redirect(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def item_decision(request, pk, item_pk):
    meeting, item = _managed_item(request, pk, item_pk)
    framework = None
    if item.topic is not None:
        framework = item.topic.partnership.framework if item.topic.partnership_id else None
    form = forms.DecisionForm(
        request.POST or None, criteria=framework.criteria if framework else ()
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.item_record_decision(
                item=item,
                by=request.user,
                decision=d["decision"],
                resolution=d["resolution"],
                scores=form.scores(),
                outcome_summary=d["outcome_summary"],
                close_without_response_reason=d["close_without_response_reason"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Decision minuted.")
            return redirect(meeting)
    return render(
        request,
        "protocols/item_decision.html",
        {"form": form, "meeting": meeting, "item": item},
        status=400 if request.method == "POST" else 200,
    )


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
    public_only = not request.user.is_authenticated
    qs = ProtocolVersion.objects.filter(protocol__in=visible_ids).order_by("protocol_id", "number")
    staff = staff_body_ids(request.user)
    for v in qs:
        versions.setdefault(v.protocol_id, []).append(v)
    rows = []
    for p in protocols:
        mine = request.user.is_superuser or bool(staff and protocol_party_ids(p) & staff)
        shown = [v for v in versions.get(p.pk, []) if v.is_public or (mine and not public_only)]
        current = next(
            (v for v in reversed(shown) if v.state in (VersionState.AGREED, "under_review")), None
        )
        rows.append({"protocol": p, "current": current, "versions": shown, "mine": mine})
    return render(
        request,
        "protocols/protocol_list.html",
        {"rows": rows, "can_create": bool(officer_body_ids(request.user))},
    )


def _protocol_for(request, pk):
    return get_object_or_404(selectors.protocols_visible_to(request.user), pk=pk)


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
    manage = can_manage(request.user, protocol)
    sign_offs = list(version.sign_offs.select_related("organisation")) if version else []
    signed_ids = {s.organisation_id for s in sign_offs}
    parties = list(Organisation.objects.filter(pk__in=protocol_party_ids(protocol)))
    my_unsigned = [
        o
        for o in parties
        if o.pk not in signed_ids
        and (request.user.is_superuser or o.pk in officer_body_ids(request.user))
    ]
    return {
        "protocol": protocol,
        "version": version,
        "versions": versions,
        "sign_offs": sign_offs,
        "parties": [{"org": o, "signed": o.pk in signed_ids} for o in parties],
        "can_manage": manage,
        "sign_form": forms.SignOffForm(
            organisations=Organisation.objects.filter(pk__in=[o.pk for o in my_unsigned])
        )
        if manage and version and version.state == VersionState.DRAFT and my_unsigned
        else None,
        "has_draft": any(v.state == VersionState.DRAFT for v in versions),
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
    ids = officer_body_ids(request.user)
    partnerships = (
        Partnership.objects.all()
        if request.user.is_superuser
        else Partnership.objects.filter(
            Q(involvement_network__in=ids) | Q(scrutiny_committees__in=ids)
        ).distinct()
    )
    if not partnerships.exists():
        raise Http404("You are not an officer of any partnership.")
    form = forms.ProtocolCreateForm(request.POST or None, partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        try:
            protocol = services.protocol_create(
                partnership=form.cleaned_data["partnership"],
                by=request.user,
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("protocols:version-edit", protocol.pk, 1)
    return render(
        request,
        "protocols/protocol_create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _managed_version(request, pk, number):
    protocol = _protocol_for(request, pk)
    if not can_manage(request.user, protocol):
        raise Http404("You may not change this protocol.")
    return protocol, get_object_or_404(protocol.versions, number=number)


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, pk, number):
    protocol, version = _managed_version(request, pk, number)
    editable = version.state == VersionState.DRAFT
    if version.state == VersionState.SUPERSEDED:
        raise Http404("A superseded version cannot be changed.")
    initial = {k: getattr(version, k) for k in (*SECTION_KEYS, "review_on", "acknowledgement_days")}
    form = forms.ProtocolVersionForm(request.POST or None, initial=initial, text_editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            services.protocol_version_update(version=version, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Protocol saved.")
            return redirect(version)
    return render(
        request,
        "protocols/version_form.html",
        {"form": form, "protocol": protocol, "version": version, "editable": editable},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def version_new(request, pk):
    protocol = _protocol_for(request, pk)
    if not can_manage(request.user, protocol):
        raise Http404("You may not change this protocol.")
    try:
        version = services.protocol_version_draft_next(protocol=protocol, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(protocol)
    return redirect("protocols:version-edit", protocol.pk, version.number)


@login_required
@require_POST
def version_sign(request, pk, number):
    protocol, version = _managed_version(request, pk, number)
    form = forms.SignOffForm(
        request.POST,
        organisations=Organisation.objects.filter(pk__in=protocol_party_ids(protocol)),
    )
    if form.is_valid():
        try:
            version = services.protocol_version_sign_off(
                version=version,
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                signatory_name=form.cleaned_data["signatory_name"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                "Signed off. Every party has signed: this version is agreed and public."
                if version.state == VersionState.AGREED
                else "Signed off. The version is agreed when every party has signed.",
            )
    else:
        messages.error(request, "Choose the body you are signing for.")
    return redirect(version)


@login_required
@require_POST
def version_review(request, pk, number):
    protocol, version = _managed_version(request, pk, number)
    try:
        services.protocol_version_start_review(version=version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Review started: draft the next version when ready.")
    return redirect(version)


# --- Calendars ------------------------------------------------------------------------------


@require_safe
def calendar_public(request):
    meetings = feeds.feed_meetings(selectors.meetings_published())
    feed = feeds.build_feed("Critical Friend: public meetings", meetings)
    return feeds.feed_response(request, feed, "meetings.ics")


@require_safe
def calendar_body(request, slug):
    body = get_object_or_404(
        Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY), slug=slug
    )
    meetings = feeds.feed_meetings(selectors.meetings_published().involving([body.pk]))
    feed = feeds.build_feed(f"{body}: meetings", meetings)
    return feeds.feed_response(request, feed, f"{body.slug}.ics")


@require_safe
def calendar_partnership(request, slug):
    partnership = get_object_or_404(Partnership, slug=slug)
    meetings = feeds.feed_meetings(
        selectors.meetings_published().filter(
            Q(partnership=partnership) | Q(body__in=partnership.party_ids())
        )
    )
    feed = feeds.build_feed(f"{partnership}: meetings", meetings)
    return feeds.feed_response(request, feed, f"{partnership.slug}.ics")


@require_safe
def calendar_personal(request, token):
    user = services.calendar_token_user(token)
    if user is None:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    bodies = staff_body_ids(user)
    meetings = feeds.feed_meetings(selectors.meetings_for_member(user))
    deadlines = feeds.personal_deadlines(user, bodies, today)
    feed = feeds.build_feed(f"Critical Friend: {user.get_username()}", meetings, deadlines)
    response = feeds.feed_response(request, feed, "personal.ics", private=True)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
def calendars_page(request):
    """Subscribe links for every feed; for a signed-in user, their personal feed's token.

    A new token is shown once: it is handed from the POST to the next GET through the session
    (post/redirect/get, so reloading the page never makes another one) and then forgotten.
    """
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        action = request.POST.get("action")
        if action in ("create", "rotate"):
            _, raw = services.calendar_token_create(user=request.user)
            request.session["cf_new_calendar_token"] = raw
            messages.success(
                request,
                "Your new personal calendar address is below. Copy it now: it is shown once."
                + (" The old address no longer works." if action == "rotate" else ""),
            )
        elif action == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, "Your personal calendar address no longer works.")
        else:
            return render(request, "400.html", status=400)
        return redirect(reverse("protocols:calendars") + "#personal")
    new_url = None
    raw = (
        request.session.pop("cf_new_calendar_token", None)
        if request.user.is_authenticated
        else None
    )
    if raw:
        new_url = reverse("protocols:calendar-personal", args=[raw])
    token = None
    if request.user.is_authenticated:
        token = request.user.calendar_tokens.filter(revoked_at__isnull=True).first()
    bodies = Organisation.objects.exclude(kind=Organisation.Kind.HEALTH_BODY).order_by("name")
    partnerships = Partnership.objects.order_by("name")
    public = reverse("protocols:calendar-public")
    return render(
        request,
        "protocols/calendars.html",
        {
            "public": {"url": public, "webcal": feeds.webcal(public)},
            "bodies": [
                presenters.feed_link(b, reverse("protocols:calendar-body", args=[b.slug]))
                for b in bodies
            ],
            "partnerships": [
                presenters.feed_link(p, reverse("protocols:calendar-partnership", args=[p.slug]))
                for p in partnerships
            ],
            "token": token,
            "new_url": new_url,
            "new_webcal": feeds.webcal(new_url) if new_url else None,
            "new_absolute": feeds.absolute(new_url) if new_url else None,
        },
    )
