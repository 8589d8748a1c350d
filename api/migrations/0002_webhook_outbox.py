"""Webhook deliveries fanned out from the audit events (docs/decisions/0010-audit-events-and-
outbox.md): a dispatch mark per event, a link from each delivery to its event, one delivery per
(event, webhook). Events issued before this migration were queued by the after-commit hook it
replaces, so they are marked dispatched here and never sent again."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

WEBHOOK_EVENT_TYPES = ["information_request_issued", "recommendation_issued"]


def mark_past_events_dispatched(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    WebhookDispatch = apps.get_model("api", "WebhookDispatch")
    ids = AuditEvent.objects.using(db).filter(event_type__in=WEBHOOK_EVENT_TYPES)
    WebhookDispatch.objects.using(db).bulk_create(
        [WebhookDispatch(event_id=pk) for pk in ids.values_list("pk", flat=True)],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_keys_idempotency_webhooks"),
        ("workflows", "0004_audit_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="WebhookDispatch",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="workflows.auditevent",
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="audit_event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workflows.auditevent",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.UniqueConstraint(
                fields=("audit_event", "webhook"), name="one_webhook_delivery_per_event_and_webhook"
            ),
        ),
        migrations.RunPython(mark_past_events_dispatched, migrations.RunPython.noop),
    ]
