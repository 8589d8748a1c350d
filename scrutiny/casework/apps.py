from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_reference_data(sender, using="default", apps=None, **kwargs):
    """After migrate, the TOPIC framework exists, unless the app was just migrated to zero
    (its model is then absent from the migration state `apps`)."""
    from scrutiny.casework.defaults import ensure_topic_framework

    try:
        framework_model = apps.get_model("scrutiny", "PrioritisationFramework") if apps else None
    except LookupError:
        return
    ensure_topic_framework(framework_model=framework_model, using=using)


class ScrutinyConfig(AppConfig):
    name = "scrutiny.casework"
    # The casework app keeps the label it was born with, so its tables, migrations, content
    # types and permission codenames stay "scrutiny.*".
    label = "scrutiny"
    verbose_name = "Scrutiny casework"

    def ready(self):
        # Reference data, not a domain side effect: a flushed test database gets it back.
        post_migrate.connect(_ensure_reference_data, sender=self, dispatch_uid="cf-topic-framework")
