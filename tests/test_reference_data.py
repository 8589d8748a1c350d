"""Default deadline rules and the TOPIC framework survive a flush and never overwrite edits."""

import pytest
from django.core.management import call_command

from scrutiny.casework.models import PrioritisationFramework
from workflows.defaults import DEFAULT_RULES, ensure_default_rules
from workflows.models import DeadlineRule


@pytest.mark.django_db(transaction=True)
def test_reference_data_comes_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert set(DeadlineRule.objects.values_list("slug", flat=True)) == {
        r["slug"] for r in DEFAULT_RULES
    }
    assert PrioritisationFramework.objects.get(slug="topic").threshold == 6


def test_an_administrators_change_to_a_rule_stands(db):
    DeadlineRule.objects.filter(slug="link-information-request").update(period=15)
    assert ensure_default_rules() == 0
    assert DeadlineRule.objects.get(slug="link-information-request").period == 15
