"""The health-body register: the ODS import (service and command), plans, board dates."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from protocols.board_imports import board_meetings_import_ics
from scrutiny.casework import policy
from scrutiny.casework.models import BoardMeeting, HealthBodyPlan, Organisation
from scrutiny.casework.services.register import (
    board_meeting_save,
    health_bodies_import_ods,
    health_body_plan_save,
)
from workflows.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)

# The legacy ODS layout: no header; code, name, national grouping, high level health
# geography, address lines 1-5, postcode, open date, close date, …
ETR = (
    'RXA,"NORTHBY HOSPITALS NHS FOUNDATION TRUST",Y63,QOQ,"1 HIGH ST",,,"NORTHBY",,'
    '"NB1 1AA",20010401,,,,\n'
    'RXB,"SOUTHBY COMMUNITY HEALTH NHS TRUST",Y63,QOQ,"2 LOW RD",,,"SOUTHBY",,'
    '"SB2 2BB",19990401,,,,\n'
    'RXC,"OLD TOWN NHS TRUST",Y63,QOQ,"3 MILL LANE",,,"OLDTOWN",,"OT3 3CC",19950401,'
    "20200331,,,\n"
)


def _import(text=ETR, **kw):
    return health_bodies_import_ods(
        text=text, health_body_kind="nhs_trust", area="Northby", today=TODAY, **kw
    )


def test_the_import_creates_the_open_bodies_with_their_codes():
    result = _import()

    assert [b.ods_code for b in result.created] == ["RXA", "RXB"]
    assert result.closed == ["RXC"]
    body = Organisation.objects.get(ods_code="RXA")
    assert (body.name, body.kind, body.health_body_kind, body.area) == (
        "Northby Hospitals NHS Foundation Trust",
        "health_body",
        "nhs_trust",
        "Northby",
    )


def test_importing_again_changes_nothing_and_a_new_name_updates_the_body():
    _import()
    body = Organisation.objects.get(ods_code="RXA")
    body.email = "enquiries@northby.example"  # officers' additions stay
    body.save()

    again = _import()
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 2)

    renamed = _import(ETR.replace("NORTHBY HOSPITALS", "NORTHBY AND DALE HOSPITALS"))
    assert [b.ods_code for b in renamed.updated] == ["RXA"]
    body.refresh_from_db()
    assert body.name == "Northby and Dale Hospitals NHS Foundation Trust"
    assert body.email == "enquiries@northby.example"
    assert Organisation.objects.filter(kind="health_body").count() == 2


def test_a_header_row_export_is_read_by_its_headers():
    text = 'Name,Organisation Code,Postcode,Open Date,Close Date\n"Dale Surgery",B81001,DL1,,\n'
    result = health_bodies_import_ods(
        text=text, health_body_kind="gp_practice", today=TODAY, area=""
    )

    assert [(b.ods_code, b.name) for b in result.created] == [("B81001", "Dale Surgery")]


def test_bad_rows_are_reported_and_nothing_is_half_written():
    text = ETR + 'R!X,"BAD CODE TRUST",,,,,,,,,,,\nRXD,,,,,,,,,,,,\nRXA,"AGAIN",,,,,,,,,,,\n'
    text += 'RXE,"BAD DATE TRUST",,,,,,,,,20010401,31-31-2020,\n'

    result = _import(text)

    assert [line for line, _ in result.problems] == [4, 5, 6, 7]
    assert "appears twice (first on line 1)" in result.problems[2][1]
    assert Organisation.objects.filter(kind="health_body").count() == 0


def test_the_command_imports_and_reports_bad_rows(tmp_path, capsys):
    good = tmp_path / "etr.csv"
    good.write_text(ETR, encoding="utf-8")
    call_command("import_ods", str(good), "--kind", "nhs_trust", "--area", "Northby")
    assert "2 created, 0 updated, 0 unchanged, 1 closed" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text('RXZ,"FINE TRUST",,,,,,,,,,,\nnot a code,"X",,,\n', encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported: 1 bad row"):
        call_command("import_ods", str(bad))
    assert "line 2" in capsys.readouterr().err
    assert not Organisation.objects.filter(ods_code="RXZ").exists()


def test_a_code_held_by_a_body_that_is_not_a_health_body_is_refused(area):
    area.committee.ods_code = "RXA"
    area.committee.save()

    result = _import()

    assert result.problems and not result.created
    assert not Organisation.objects.filter(ods_code="RXB").exists()


# --- Plans and board meetings ---------------------------------------------------------------------


def test_officers_and_the_bodys_responders_keep_its_plans(
    area, officer, responder, other_responder
):
    plan = health_body_plan_save(
        by=officer,
        body=area.trust,
        title="Five-year plan 2026-31",
        summary="Fewer beds, more care at home.",
        kind="plan",
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2031, 3, 31),
    )
    health_body_plan_save(
        by=responder, body=area.trust, plan=plan, title=plan.title, summary="Corrected."
    )
    with pytest.raises(Forbidden):
        health_body_plan_save(by=other_responder, body=area.trust, title="x", summary="y")
    with pytest.raises(InvalidInput) as exc:
        health_body_plan_save(
            by=officer,
            body=area.trust,
            title="x",
            summary="y",
            period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2026, 1, 1),
        )
    assert "period_end" in exc.value.field_errors

    assert HealthBodyPlan.objects.get().summary == "Corrected."
    assert policy.visible(other_responder, HealthBodyPlan.objects.all()).count() == 0
    assert policy.visible(officer, HealthBodyPlan.objects.all()).count() == 1


def _feed(*events):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Trust//Board//EN"]
    for uid, start, summary, status in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART:{start}", f"SUMMARY:{summary}"]
        if status:
            lines.append(f"STATUS:{status}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return SimpleUploadedFile("board.ics", "\r\n".join(lines).encode(), "text/calendar")


def test_board_dates_import_from_the_bodys_feed_idempotently(area, officer):
    events = [
        ("b1@trust", "20270114T100000Z", "Board meeting in public", ""),
        ("b2@trust", "20270311T100000Z", "Board meeting in public", ""),
    ]
    first = board_meetings_import_ics(by=officer, body=area.trust, uploaded=_feed(*events))
    assert len(first.created) == 2

    again = board_meetings_import_ics(by=officer, body=area.trust, uploaded=_feed(*events))
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 2)

    events[1] = ("b2@trust", "20270318T100000Z", "Board meeting in public", "CANCELLED")
    changed = board_meetings_import_ics(by=officer, body=area.trust, uploaded=_feed(*events))
    assert [m.uid for m in changed.updated] == ["b2@trust"]
    moved = BoardMeeting.objects.get(uid="b2@trust")
    assert moved.cancelled and moved.starts_at.date() == dt.date(2027, 3, 18)
    # The body's board dates are not our meetings.
    assert not area.trust.board_meetings.filter(source="officer").exists()


def test_a_bad_feed_writes_nothing(area, officer, other_responder):
    bad = SimpleUploadedFile("board.ics", b"not a calendar", "text/calendar")
    with pytest.raises(InvalidInput):
        board_meetings_import_ics(by=officer, body=area.trust, uploaded=bad)
    with pytest.raises(Forbidden):
        board_meetings_import_ics(
            by=other_responder,
            body=area.trust,
            uploaded=_feed(("b1@trust", "20270114T100000Z", "Board", "")),
        )
    assert BoardMeeting.objects.count() == 0


def test_a_board_meeting_recorded_by_hand(area, responder):
    meeting = board_meeting_save(
        by=responder,
        body=area.trust,
        title="Annual general meeting",
        starts_at=dt.datetime(2027, 9, 20, 14, 0, tzinfo=dt.UTC),
    )
    assert meeting.source == BoardMeeting.Source.OFFICER
    with pytest.raises(InvalidInput):
        board_meeting_save(by=responder, body=area.trust, title="", starts_at=None)
