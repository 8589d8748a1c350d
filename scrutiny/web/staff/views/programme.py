"""The joint work programme by municipal year (docs/work-programme.md) and the members' page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from protocols import services as joint
from protocols.models import Meeting, ProgrammeEntry
from protocols.services.programmes import CLOSED_STATES
from scrutiny.casework import selectors
from scrutiny.casework.policy import can, case_files_visible_to
from scrutiny.casework.roles import Perm
from scrutiny.web import meetings, programmes
from scrutiny.web.errors import form_view
from scrutiny.web.staff.programme_forms import CapacityForm, ScheduleForm, UnscheduleForm, YearForm
from scrutiny.web.staff.views.common import _page, _query_string, staff_required
from workflows.errors import Forbidden, InvalidInput, NotFound

# --- work programme and members --------------------------------------------------------------


def _partnership(request, slug):
    return get_object_or_404(selectors.partnerships_visible_to(request.user), slug=slug)


def _programme_url(partnership, year) -> str:
    return reverse("scrutiny:programme", args=[partnership.slug]) + f"?year={year}"


def _year_programme(partnership, year):
    found = programmes.year_programme(partnership, year)
    if found.programme is None:
        raise NotFound(f"{partnership} has no work programme for {found.label} yet.")
    return found


def _schedule_form(request, user, data):
    topics = (
        case_files_visible_to(user)
        .filter(partnership=data.partnership)
        .exclude(state__in=CLOSED_STATES)
        .order_by("title", "id")
    )
    meeting_ids = [m.pk for m in data.meetings]
    return ScheduleForm(
        request.POST or None,
        topics=topics,
        meetings=Meeting.objects.filter(pk__in=meeting_ids).order_by("date", "start_time", "id"),
    )


@staff_required
def programme(request, slug):
    partnership = _partnership(request, slug)
    now = programmes.current_year()
    year = programmes.year_from(request.GET.get("year"), default=now)
    data = selectors.work_programme(request.user, partnership)
    targets = meetings.target_meetings([row.topic.pk for row in data.topics])
    for row in data.topics:
        row.target = targets.get(row.topic.pk)
    year_data = programmes.year_programme(partnership, year)
    keeper = can(request.user, Perm.TOPIC_MANAGE, partnership)
    context = {
        "programme": data,
        "year": year_data,
        "year_form": YearForm(
            initial={"year": year}, years=programmes.year_choices(partnership, year, now)
        ),
        "keeper": keeper,
    }
    return render(request, "scrutiny/programme.html", context)


@staff_required
def programme_capacity(request, slug, year):
    partnership = _partnership(request, slug)
    year = joint.check_year(year)
    existing = programmes.year_programme(partnership, year).programme
    initial = (
        {
            "topic_capacity": existing.topic_capacity,
            "reserved": existing.reserved,
            "slots_per_meeting": existing.slots_per_meeting,
        }
        if existing
        else {"topic_capacity": partnership.programme_capacity, "reserved": 0}
    )
    _check_keeper(request.user, partnership)
    form = CapacityForm(request.POST or None, initial=initial)

    def save(data):
        joint.programme_set(partnership=partnership, by=request.user, year=year, **data)
        messages.success(request, f"Work programme for {joint.year_label(year)} saved.")
        return redirect(_programme_url(partnership, year))

    return form_view(
        request,
        form,
        on_valid=save,
        template="scrutiny/programme_capacity.html",
        context={
            "partnership": partnership,
            "year_label": joint.year_label(year),
            "year": year,
            "existing": existing,
            "back": _programme_url(partnership, year),
        },
    )


def _check_keeper(user, partnership):
    if not can(user, Perm.TOPIC_MANAGE, partnership):
        raise Forbidden("Only a support officer of the partnership keeps its work programme.")


@staff_required
def programme_schedule(request, slug, year):
    partnership = _partnership(request, slug)
    data = _year_programme(partnership, joint.check_year(year))
    _check_keeper(request.user, partnership)
    form = _schedule_form(request, request.user, data)
    warnings = joint.capacity_warnings(data.programme)

    def save(cleaned):
        joint.programme_schedule(
            programme=data.programme,
            by=request.user,
            topic=cleaned["topic"],
            meeting=cleaned["meeting"],
            reason=cleaned["reason"],
        )
        messages.success(request, f"“{cleaned['topic'].title}” is on the work programme.")
        return redirect(_programme_url(partnership, data.year))

    return form_view(
        request,
        form,
        on_valid=save,
        template="scrutiny/programme_schedule.html",
        context={"year": data, "warnings": warnings},
    )


@require_POST
@staff_required
def programme_unschedule(request, slug, year, pk):
    partnership = _partnership(request, slug)
    data = _year_programme(partnership, joint.check_year(year))
    entry = get_object_or_404(
        ProgrammeEntry.objects.select_related("topic", "programme__partnership"),
        pk=pk,
        programme=data.programme,
    )
    form = UnscheduleForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Check the note.", field_errors=form.errors)
    joint.programme_unschedule(entry=entry, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, f"“{entry.topic.title}” is off the work programme.")
    return redirect(_programme_url(partnership, data.year))


@staff_required
def members(request):
    topics, drafts = selectors.member_overview(request.user)
    sections = [meetings.member_agendas(request.user)]
    return render(
        request,
        "scrutiny/members.html",
        {
            "page_obj": _page(request, topics),
            "query_string": _query_string(request),
            "drafts": drafts,
            "sections": [s for s in sections if s],
            "partnerships": selectors.partnerships_visible_to(request.user),
        },
    )
