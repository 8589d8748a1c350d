"""One current answer per request or recommendation; corrections carry a reason; received
dates lie between issue and recording (docs/decisions/0015-one-current-answer.md).

Existing data is made to fit before the constraints are added, never refused:

- a subject with more than one current answer (a second answer recorded without superseding
  the first) keeps the one recorded last as its current answer (it is the one that moved the
  subject to its present state); each earlier chain is superseded by the next, with the reason
  "Recorded again without superseding the earlier answer (linked by migration 0007)";
- a correction recorded before corrections needed a reason gets "Correction recorded before
  reasons were required";
- a received time after the time it was recorded (clock skew) becomes the recorded time.

The response table is append-only (a trigger refuses UPDATE): the trigger is dropped for the
fix and created again at the end. On PostgreSQL a second trigger refuses a response received
before its subject was issued, or a correction of a response to another subject.
"""

from django.conf import settings
from django.db import migrations, models

from workflows.db import append_only_sql

TABLE = "scrutiny_providerresponse"
LINKED = "Recorded again without superseding the earlier answer (linked by migration 0007)"
NO_REASON = "Correction recorded before reasons were required"


def _drop_append_only(apps, schema_editor):
    on = f' ON "{TABLE}"' if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_append_only"{on}')


def _fix_data(apps, schema_editor):
    Response = apps.get_model("scrutiny", "ProviderResponse")
    rows = list(
        Response.objects.order_by("id").values(
            "id",
            "information_request_id",
            "recommendation_id",
            "supersedes_id",
            "received_at",
            "created_at",
            "correction_reason",
        )
    )
    by_id = {r["id"]: r for r in rows}
    superseded = {r["supersedes_id"] for r in rows if r["supersedes_id"]}
    chains = {}
    for r in rows:  # every row is an answer before this migration
        if r["id"] in superseded:
            continue
        subject = (r["information_request_id"], r["recommendation_id"])
        chains.setdefault(subject, []).append(r["id"])
    for tails in chains.values():
        for earlier_tail, later_tail in zip(tails, tails[1:], strict=False):
            root = by_id[later_tail]
            while root["supersedes_id"]:
                root = by_id[root["supersedes_id"]]
            Response.objects.filter(pk=root["id"]).update(
                supersedes_id=earlier_tail, correction_reason=LINKED
            )
            root["supersedes_id"], root["correction_reason"] = earlier_tail, LINKED
    for r in rows:
        if r["supersedes_id"] and not r["correction_reason"].strip():
            Response.objects.filter(pk=r["id"]).update(correction_reason=NO_REASON)
        if r["received_at"] > r["created_at"]:
            Response.objects.filter(pk=r["id"]).update(received_at=r["created_at"])
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now, before the table is altered again.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


RECEIVED_AFTER_ISSUE_SQL = f"""
CREATE OR REPLACE FUNCTION cf_response_invariants() RETURNS trigger AS $$
DECLARE
  issued date;
  other record;
BEGIN
  IF NEW.information_request_id IS NOT NULL THEN
    SELECT issued_on INTO issued FROM scrutiny_informationrequest
      WHERE id = NEW.information_request_id;
  ELSE
    SELECT issued_on INTO issued FROM scrutiny_recommendation WHERE id = NEW.recommendation_id;
  END IF;
  IF issued IS NULL THEN
    RAISE EXCEPTION 'a response to something never issued' USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.received_at AT TIME ZONE '{settings.TIME_ZONE}')::date < issued THEN
    RAISE EXCEPTION 'response received on % before its subject was issued on %',
      (NEW.received_at AT TIME ZONE '{settings.TIME_ZONE}')::date, issued
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.supersedes_id IS NOT NULL THEN
    SELECT information_request_id, recommendation_id, kind INTO other FROM {TABLE}
      WHERE id = NEW.supersedes_id;
    IF other.kind <> 'answer'
       OR other.information_request_id IS DISTINCT FROM NEW.information_request_id
       OR other.recommendation_id IS DISTINCT FROM NEW.recommendation_id THEN
      RAISE EXCEPTION 'a correction supersedes an answer to the same subject'
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER "{TABLE}_invariants" BEFORE INSERT ON "{TABLE}"
  FOR EACH ROW EXECUTE FUNCTION cf_response_invariants();
"""


def _invariants_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECEIVED_AFTER_ISSUE_SQL, params=None)


def _drop_invariants_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_invariants" ON "{TABLE}"')
        schema_editor.execute("DROP FUNCTION IF EXISTS cf_response_invariants()")


class Migration(migrations.Migration):
    dependencies = [
        ("scrutiny", "0006_policy_named_managers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="providerresponse",
            name="correction_reason",
            field=models.TextField(
                blank=True,
                help_text="Why this answer corrects the one it supersedes (shown on both).",
            ),
        ),
        migrations.AddField(
            model_name="providerresponse",
            name="kind",
            field=models.CharField(
                choices=[("answer", "Answer"), ("further_information", "Further information")],
                default="answer",
                max_length=30,
            ),
        ),
        migrations.RunPython(_drop_append_only, migrations.RunPython.noop),
        migrations.RunPython(_fix_data, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="providerresponse",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind", "answer"),
                    ("supersedes__isnull", True),
                    ("information_request__isnull", False),
                ),
                fields=("information_request",),
                name="one_first_answer_per_request",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerresponse",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind", "answer"),
                    ("supersedes__isnull", True),
                    ("recommendation__isnull", False),
                ),
                fields=("recommendation",),
                name="one_first_answer_per_recommendation",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("supersedes__isnull", True),
                    models.Q(("correction_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="correction_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind", "answer"), ("supersedes__isnull", True), _connector="OR"
                ),
                name="further_information_supersedes_nothing",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["answer", "further_information"])),
                name="response_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(("received_at__lte", models.F("created_at"))),
                name="response_not_received_after_recorded",
            ),
        ),
        append_only_sql(TABLE),
        migrations.RunPython(_invariants_trigger, _drop_invariants_trigger),
    ]
