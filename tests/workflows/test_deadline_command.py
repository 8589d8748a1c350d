"""`manage.py deadline RULE DATE`: the ISO due date on line 1, the explanation on line 2."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from workflows.models import DeadlineRule, HolidayOverride

pytestmark = pytest.mark.django_db

RULE_SLUGS = [
    "agenda-publication",
    "call-in-decision",
    "consultation-comments-agenda",
    "council-executive-response",
    "enter-and-view-accuracy-check",
    "enter-and-view-response",
    "link-information-request",
    "link-recommendation-response",
    "osc-recommendation-response",
    "referral-acknowledgement",
    "relevant-decision-publication",
]


def deadline(*args, **options):
    out = StringIO()
    call_command("deadline", *args, stdout=out, **options)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("rule", "date", "lines"),
    [
        (
            "osc-recommendation-response",
            "2026-12-18",
            ["2027-01-15", "28 days after Fri 18 Dec 2026: Fri 15 Jan 2027"],
        ),
        (
            "link-information-request",
            "2026-12-18",
            [
                "2027-01-20",
                "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: "
                "Wed 20 Jan 2027",
            ],
        ),
        (
            "link-recommendation-response",
            "2027-03-25",
            [
                "2027-04-26",
                "20 working days after Thu 25 Mar 2027, skipping 26 Mar, 29 Mar: Mon 26 Apr 2027",
            ],
        ),
        (
            "referral-acknowledgement",
            "2026-12-18",
            [
                "2027-01-19",
                "20 working days beginning with Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: "
                "Tue 19 Jan 2027",
            ],
        ),
        (
            "agenda-publication",
            "2026-04-14",
            [
                "2026-04-02",
                "5 clear working days before Tue 14 Apr 2026, skipping 3 Apr, 6 Apr: "
                "publish by Thu 2 Apr 2026",
            ],
        ),
        (
            "council-executive-response",
            "2026-12-31",
            ["2027-02-28", "2 months after Thu 31 Dec 2026: Sun 28 Feb 2027"],
        ),
    ],
)
def test_prints_the_iso_due_date_then_the_explanation(rule, date, lines):
    assert deadline(rule, date) == lines


def test_every_rule_is_covered():
    assert sorted(DeadlineRule.objects.values_list("slug", flat=True)) == RULE_SLUGS


def test_the_first_line_is_always_an_iso_date():
    for slug in RULE_SLUGS:
        first, second = deadline(slug, "2027-03-25")
        assert dt.date.fromisoformat(first)
        assert second.endswith(dt.date.fromisoformat(first).strftime("%b %Y"))


def test_region_overrides_the_rules_region():
    england = deadline("link-information-request", "2025-12-31")
    scotland = deadline("link-information-request", "2025-12-31", region="scotland")

    assert england == [
        "2026-01-29",
        "20 working days after Wed 31 Dec 2025, skipping 1 Jan: Thu 29 Jan 2026",
    ]
    assert scotland == [
        "2026-01-30",
        "20 working days after Wed 31 Dec 2025, skipping 1 Jan, 2 Jan: Fri 30 Jan 2026",
    ]


def test_holiday_overrides_in_the_database_count():
    HolidayOverride.objects.create(
        region="england-and-wales", date=dt.date(2027, 1, 11), name="Proclaimed holiday"
    )

    assert deadline("link-information-request", "2026-12-18")[0] == "2027-01-21"


def test_a_changed_rule_is_used():
    rule = DeadlineRule.objects.get(slug="osc-recommendation-response")
    rule.period = 20
    rule.save()

    assert deadline("osc-recommendation-response", "2026-12-18") == [
        "2027-01-07",
        "20 days after Fri 18 Dec 2026: Thu 7 Jan 2027",
    ]


def test_verbose_output_names_the_rule_source_and_region():
    lines = deadline("referral-acknowledgement", "2026-12-18", verbosity=2)

    assert lines[0] == "2027-01-19"
    assert len(lines) == 3
    assert lines[2].startswith("Rule: OSC acknowledges a LINk referral (referral-acknowledgement)")
    assert "SI 2008/528" in lines[2]
    assert lines[2].endswith("Bank holidays of England and Wales.")


def test_a_bad_rule_lists_the_valid_slugs():
    with pytest.raises(CommandError) as excinfo:
        deadline("link-info-request", "2026-12-18")

    message = str(excinfo.value)
    assert "Unknown deadline rule 'link-info-request'" in message
    for slug in RULE_SLUGS:
        assert slug in message


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("18/12/2026", "not a date in the form YYYY-MM-DD"),
        ("2026-12-18T09:00", "not a date in the form YYYY-MM-DD"),
        ("20261218", "not a date in the form YYYY-MM-DD"),  # fromisoformat would accept it
        ("2026-W51-5", "not a date in the form YYYY-MM-DD"),
        ("tomorrow", "not a date in the form YYYY-MM-DD"),
        ("", "not a date in the form YYYY-MM-DD"),
        ("2026-02-30", "not a real date"),
        ("2026-13-01", "not a real date"),
    ],
)
def test_a_bad_date_is_refused_with_the_expected_form(date, says):
    with pytest.raises(CommandError, match=says):
        deadline("link-information-request", date)


def test_a_date_the_count_cannot_reach_is_refused_cleanly():
    with pytest.raises(CommandError, match="Cannot count 'osc-recommendation-response'"):
        deadline("osc-recommendation-response", "9999-12-31")


def test_a_bad_region_is_refused():
    with pytest.raises(CommandError, match="Unknown region 'mars'"):
        deadline("link-information-request", "2026-12-18", region="mars")


def test_no_rules_at_all_says_to_migrate():
    DeadlineRule.objects.all().delete()

    with pytest.raises(CommandError, match="run 'python manage.py migrate'"):
        deadline("link-information-request", "2026-12-18")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["nope", "2026-12-18"], 1, "Unknown deadline rule 'nope'. Choose one of: agenda-pub"),
        (["agenda-publication", "2026-02-30"], 1, "'2026-02-30' is not a real date"),
        (["agenda-publication", "2026-04-14", "--region", "mars"], 2, "invalid choice: 'mars'"),
        (["agenda-publication"], 2, "the following arguments are required: date"),
    ],
)
def test_from_the_shell_a_bad_argument_exits_non_zero_with_the_message(
    args, code, says, capsys, monkeypatch
):
    from django.db import connections

    from workflows.management.commands.deadline import Command

    # run_from_argv closes every connection when it ends; keep the test's transaction open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "deadline", *args])

    assert excinfo.value.code == code
    captured = capsys.readouterr()
    assert says in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_from_the_shell_a_good_call_prints_two_lines(capsys, monkeypatch):
    from django.db import connections

    from workflows.management.commands.deadline import Command

    monkeypatch.setattr(connections, "close_all", lambda: None)

    Command().run_from_argv(["manage.py", "deadline", "link-information-request", "2026-12-18"])

    assert capsys.readouterr().out == (
        "2027-01-20\n"
        "20 working days after Fri 18 Dec 2026, skipping 25 Dec, 28 Dec, 1 Jan: Wed 20 Jan 2027\n"
    )
