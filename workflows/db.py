"""Database-level guards, installed by migrations."""

from django.db import migrations


def append_only_sql(table: str) -> migrations.RunPython:
    """A migration operation that makes `table` refuse UPDATE (and DELETE on PostgreSQL).

    SQLite's test flush empties tables with DELETE, so there the model and queryset refuse
    deletes and the database refuses updates (docs/decisions/0003-append-only-records.md).
    """

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                """
                CREATE OR REPLACE FUNCTION cf_refuse_change() RETURNS trigger AS $$
                BEGIN
                  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
                END $$ LANGUAGE plpgsql;
                """,
                params=None,
            )
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION cf_refuse_change();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor in {"postgresql", "sqlite"}:
            schema_editor.execute(
                f'DROP TRIGGER IF EXISTS "{table}_append_only"'
                + (f' ON "{table}"' if schema_editor.connection.vendor == "postgresql" else "")
            )

    return migrations.RunPython(forwards, backwards)
