"""The transition log becomes typed audit events (docs/decisions/0010-audit-events-and-outbox.md).

A new append-only table `workflows_auditevent` takes every row of `workflows_transitionlog`, in
order, with its free-text name mapped to an event type by the model it concerns; the old table
is dropped. The mapping is frozen here: it is what the code wrote before this migration.
"""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from workflows.db import append_only_sql

# (app label, model, old name) -> event type. "import" of a meeting is split by its note: an
# update was written as "changed: …".
OLD_NAMES = {
    ("scrutiny", "topic", "raise"): "topic_raised",
    ("scrutiny", "topic", "prioritise"): "topic_prioritised",
    ("scrutiny", "topic", "decline"): "topic_declined",
    ("scrutiny", "topic", "reopen"): "topic_reopened",
    ("scrutiny", "topic", "request_information"): "topic_information_requested",
    ("scrutiny", "topic", "issue_requests"): "topic_requests_issued",
    ("scrutiny", "topic", "make_recommendations"): "topic_recommendations_made",
    ("scrutiny", "topic", "request_more"): "topic_more_information_requested",
    ("scrutiny", "topic", "conclude"): "topic_concluded",
    ("scrutiny", "topic", "withdraw"): "topic_withdrawn",
    ("scrutiny", "topic", "record_position"): "topic_position_recorded",
    ("scrutiny", "topic", "publish"): "topic_published",
    ("scrutiny", "topic", "unpublish"): "topic_unpublished",
    ("scrutiny", "informationrequest", "draft"): "information_request_drafted",
    ("scrutiny", "informationrequest", "issue"): "information_request_issued",
    ("scrutiny", "informationrequest", "mark_answered"): "information_request_answered",
    ("scrutiny", "informationrequest", "mark_partially_answered"): (
        "information_request_partially_answered"
    ),
    ("scrutiny", "informationrequest", "mark_refused"): "information_request_refused",
    ("scrutiny", "informationrequest", "withdraw"): "information_request_withdrawn",
    ("scrutiny", "recommendation", "draft"): "recommendation_drafted",
    ("scrutiny", "recommendation", "issue"): "recommendation_issued",
    ("scrutiny", "recommendation", "respond"): "recommendation_responded",
    ("scrutiny", "recommendation", "withdraw"): "recommendation_withdrawn",
    ("scrutiny", "referral", "refer"): "referral_made",
    ("scrutiny", "referral", "acknowledge"): "referral_acknowledged",
    ("protocols", "protocolversion", "draft"): "protocol_version_drafted",
    ("protocols", "protocolversion", "edit"): "protocol_version_edited",
    ("protocols", "protocolversion", "sign_off"): "protocol_version_signed_off",
    ("protocols", "protocolversion", "agree"): "protocol_version_agreed",
    ("protocols", "protocolversion", "start_review"): "protocol_version_review_started",
    ("protocols", "protocolversion", "supersede"): "protocol_version_superseded",
    ("protocols", "meeting", "schedule"): "meeting_scheduled",
    ("protocols", "meeting", "edit"): "meeting_edited",
    ("protocols", "meeting", "import"): "meeting_imported",
    ("protocols", "meeting", "cancel"): "meeting_cancelled",
    ("protocols", "meeting", "mark_held"): "meeting_held",
    ("protocols", "meeting", "publish_agenda"): "meeting_agenda_published",
    ("protocols", "meeting", "add_item"): "meeting_agenda_item_added",
    ("protocols", "meeting", "add_paper"): "meeting_paper_added",
    ("protocols", "meeting", "minute"): "meeting_decision_recorded",
}
IMPORT_UPDATED = "meeting_import_updated"


def _event_type(ctype, name, note):
    key = (ctype.app_label, ctype.model, name)
    if key not in OLD_NAMES:
        raise RuntimeError(
            f"Transition log row '{name}' of {ctype.app_label}.{ctype.model} has no event type; "
            "add it to OLD_NAMES in workflows/migrations/0004_audit_events.py."
        )
    event_type = OLD_NAMES[key]
    if event_type == "meeting_imported" and note.startswith("changed: "):
        return IMPORT_UPDATED
    return event_type


def copy_forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    TransitionLog = apps.get_model("workflows", "TransitionLog")
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ctypes = {c.pk: c for c in ContentType.objects.using(db).all()}
    batch = []
    for row in TransitionLog.objects.using(db).order_by("at", "id").iterator(chunk_size=2000):
        batch.append(
            AuditEvent(
                content_type_id=row.content_type_id,
                object_id=row.object_id,
                event_type=_event_type(ctypes[row.content_type_id], row.transition, row.note),
                source_state=row.source_state,
                target_state=row.target_state,
                actor_id=row.actor_id,
                at=row.at,
                note=row.note,
                data={},
            )
        )
        if len(batch) >= 2000:
            AuditEvent.objects.using(db).bulk_create(batch)
            batch = []
    AuditEvent.objects.using(db).bulk_create(batch)


def copy_backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    TransitionLog = apps.get_model("workflows", "TransitionLog")
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ctypes = {c.pk: c for c in ContentType.objects.using(db).all()}
    names = {(app, model, event): name for (app, model, name), event in OLD_NAMES.items()}
    rows = []
    for row in AuditEvent.objects.using(db).order_by("at", "id"):
        ctype = ctypes[row.content_type_id]
        event = "meeting_imported" if row.event_type == IMPORT_UPDATED else row.event_type
        rows.append(
            TransitionLog(
                content_type_id=row.content_type_id,
                object_id=row.object_id,
                transition=names.get((ctype.app_label, ctype.model, event), row.event_type),
                source_state=row.source_state,
                target_state=row.target_state,
                actor_id=row.actor_id,
                at=row.at,
                note=row.note,
            )
        )
    TransitionLog.objects.using(db).bulk_create(rows, batch_size=2000)


def _reversed(operation: migrations.RunPython) -> migrations.RunPython:
    """The same SQL run the other way: here, drop the old table's append-only trigger."""
    return migrations.RunPython(operation.reverse_code, operation.code)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0003_sweep_marks_and_notification_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                ("event_type", models.CharField(db_index=True, max_length=60)),
                ("source_state", models.CharField(blank=True, max_length=40)),
                ("target_state", models.CharField(blank=True, max_length=40)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.TextField(blank=True)),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id", "at"], name="audit_event_object_at"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_forwards, copy_backwards),
        _reversed(append_only_sql("workflows_transitionlog")),
        migrations.DeleteModel(name="TransitionLog"),
        append_only_sql("workflows_auditevent"),
    ]
