"""Fixtures for joint working: meetings built through the services, papers in a temporary media
folder, and the two iCalendar parsers (icalendar, and Mozilla's ical.js under node)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from protocols import services

ICALJS = Path(__file__).parent / "icaljs"
FUTURE = dt.date(2027, 1, 5)  # a Tuesday after Christmas and New Year


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://cf.example.org"
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    return dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Tests run on Thu 26 Nov 2026, 10:00 in London."""
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)


def paper_file(name="report.txt", text="The trust's figures."):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


@pytest.fixture
def make_meeting(area, officer):
    def make(*, by=None, partnership=None, body=None, date=FUTURE, start=dt.time(18, 0), **kw):
        if body is None and partnership is None:
            partnership = area.partnership
        kw.setdefault("title", "Joint scrutiny meeting")
        kw.setdefault("place", "Town Hall")
        return services.meeting_create(
            by=by or officer,
            partnership=partnership,
            body=body,
            date=date,
            start_time=start,
            confirm=kw.pop("confirm", True),
            **kw,
        )

    return make


@pytest.fixture
def published_meeting(make_meeting, officer):
    """A joint meeting with a public item (with a paper) and an exempt item (with a paper)."""
    meeting = make_meeting(title="Stroke services review")
    public = services.agenda_item_add(
        meeting=meeting, by=officer, title="Moving the stroke unit", presenter="Medical director"
    )
    services.paper_add(item=public, by=officer, file=paper_file("stroke.txt"), title="Stroke paper")
    exempt = services.agenda_item_add(
        meeting=meeting,
        by=officer,
        title="SECRET-ITEM provider contract",
        exempt=True,
        exempt_paragraph=3,
        public_interest_reason="Commercial terms under negotiation.",
    )
    services.paper_add(
        item=exempt, by=officer, file=paper_file("secret.txt"), title="SECRET-PAPER figures"
    )
    services.meeting_publish_agenda(meeting=meeting, by=officer)
    meeting.refresh_from_db()
    return meeting


def parse_icalendar(body: bytes) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(body)
    assert cal.name == "VCALENDAR"
    for ev in cal.walk("VEVENT"):
        assert not ev.errors, ev.errors
    return cal


@pytest.fixture(scope="session")
def icaljs():
    """Parse a feed with ical.js under node; installs the pinned package on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed for the second-parser tests"
    if not (ICALJS / "node_modules" / "ical.js").exists():
        subprocess.run(
            [npm, "ci", "--prefix", str(ICALJS), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )

    def parse(body: bytes) -> dict:
        done = subprocess.run(
            [node, str(ICALJS / "parse.js")],
            input=body,
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout)

    return parse


def now():
    return timezone.now()
