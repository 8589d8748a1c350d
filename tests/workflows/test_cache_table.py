"""`migrate` creates the database cache's table, so the embedded default works straight after it."""

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = "cf_test_cache_after_migrate"


def test_migrate_creates_the_database_cache_table(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "db": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE},
    }
    assert TABLE not in connection.introspection.table_names()
    try:
        call_command("migrate", verbosity=0)
        assert TABLE in connection.introspection.table_names()
        call_command("migrate", verbosity=0)  # and again: the table is left as it is
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
