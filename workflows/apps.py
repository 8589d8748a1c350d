from django.apps import AppConfig
from django.db.models.signals import post_migrate

from workflows import ids  # noqa: F401  (registers the out-of-range guard on `IN`)


def _ensure_reference_data(sender, using="default", apps=None, **kwargs):
    """After migrate, the default deadline rules exist, unless the app was just migrated to zero
    (its model is then absent from the migration state `apps`)."""
    from workflows.defaults import ensure_default_rules

    try:
        rule_model = apps.get_model("workflows", "DeadlineRule") if apps else None
    except LookupError:
        return
    ensure_default_rules(rule_model=rule_model, using=using)
    _ensure_cache_table(using)


def _ensure_cache_table(using: str) -> None:
    """After migrate, the database cache's table exists (the embedded default keeps the cache
    in the database): `migrate` alone makes a working database, and a command run straight after
    it (seed_demo, seed_scale) does not fail on a missing `cf_cache`. A no-op for other caches
    and for a table that exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and statutory clocks"

    def ready(self):
        # Reference data, not a domain side effect: a flushed test database gets it back.
        post_migrate.connect(_ensure_reference_data, sender=self, dispatch_uid="cf-default-rules")
