from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_reference_data(sender, using="default", **kwargs):
    from workflows.defaults import ensure_default_rules

    ensure_default_rules(using=using)


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and statutory clocks"

    def ready(self):
        # Reference data, not a domain side effect: a flushed test database gets it back.
        post_migrate.connect(_ensure_reference_data, sender=self, dispatch_uid="cf-default-rules")
