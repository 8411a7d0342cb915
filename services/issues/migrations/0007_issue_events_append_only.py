"""The history is append-only in the database itself (DESIGN §2): on PostgreSQL a trigger refuses every
UPDATE and DELETE of an event row, whoever sends it. SQLite (the zero-setup demo) keeps the model's guard only.

A later migration that must rewrite stored events (e.g. renaming an event kind) disables the trigger for
its own statement: ``ALTER TABLE issues_issueevent DISABLE TRIGGER issue_event_append_only``.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION issue_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'issue events are append-only: % refused on event %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS issue_event_append_only ON issues_issueevent;
CREATE TRIGGER issue_event_append_only
    BEFORE UPDATE OR DELETE ON issues_issueevent
    FOR EACH ROW EXECUTE FUNCTION issue_event_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS issue_event_append_only ON issues_issueevent;
DROP FUNCTION IF EXISTS issue_event_refuse_change();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("issues", "0006_deadlines_for_every_stage_and_event_outbox")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
