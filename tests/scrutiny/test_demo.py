from django.core.management import call_command

from scrutiny.casework.models import (
    AnnualReport,
    InformationRequest,
    ProviderResponse,
    RelevantDecision,
    SafeguardingConcern,
    Topic,
    TopicState,
    Visit,
    VisitState,
)
from scrutiny.demo.casework import DEMO_LOGINS


def test_seed_demo_builds_every_state_and_is_idempotent(db, capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-pass-123")
    call_command("seed_demo")
    out = capsys.readouterr().out
    for username, _ in DEMO_LOGINS:
        assert username in out
    assert "a-demo-pass-123" in out
    states = set(Topic.objects.values_list("state", flat=True))
    assert states == set(TopicState.values)
    assert Topic.objects.count() >= 20
    assert any(r.is_overdue() for r in InformationRequest.all_objects.filter(state="issued"))
    assert ProviderResponse.objects.filter(on_time=False).exists()
    # Enter and View: every state, a response overdue, a private safeguarding concern.
    assert set(Visit.all_objects.values_list("state", flat=True)) == set(VisitState.values)
    assert any(v.is_overdue() for v in Visit.all_objects.filter(state="published"))
    assert SafeguardingConcern.objects.exists()
    assert "Enter and View:" in out
    # Relevant decisions in every state but set aside: published, due, and one overdue each.
    decisions = RelevantDecision.objects.all()
    assert {d.state for d in decisions} == {"published", "recorded"}
    assert sum(d.is_overdue() for d in decisions) == 2
    assert "Relevant decisions:" in out
    # Annual reports: Northby's network published last year's; its committee has a draft.
    reports = {r.body.slug: r for r in AnnualReport.objects.select_related("body")}
    assert reports["northby-link"].state == "published"
    assert reports["northby-hosc"].state == "draft"
    assert "Annual reports:" in out
    counts = (
        Topic.objects.count(),
        ProviderResponse.objects.count(),
        RelevantDecision.objects.count(),
        Visit.all_objects.count(),
        AnnualReport.objects.count(),
    )

    call_command("seed_demo")
    assert (
        Topic.objects.count(),
        ProviderResponse.objects.count(),
        RelevantDecision.objects.count(),
        Visit.all_objects.count(),
        AnnualReport.objects.count(),
    ) == counts

    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    # Sign-in goes through django-axes, which needs the request (for the client's address).
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="northby-chair", password="a-demo-pass-123")
