"""One term per concept: "escalate" means 督办 (supervision of an overdue stage) only; the answer outcome
提级办理 (passed to a higher level) is stored as ``referred_up``. Rewrites the stored outcome on issues and in
the history (the outcome of ``respond`` events and the previous outcome of ``reopen`` events): the only
sanctioned rewrite of the append-only table, with its PostgreSQL trigger off for this statement alone.
"""

from django.db import migrations, models

OLD, NEW = "escalated", "referred_up"
TRIGGER = "issue_event_append_only"


def _rename(old, new):
    def run(apps, schema_editor):
        Issue = apps.get_model("issues", "Issue")
        IssueEvent = apps.get_model("issues", "IssueEvent")
        Issue.objects.filter(outcome=old).update(outcome=new)
        events = IssueEvent.objects.filter(kind__in=("respond", "reopen"))
        changed = []
        for event in events.iterator(chunk_size=2000):
            data = event.data if isinstance(event.data, dict) else {}
            touched = False
            if data.get("outcome") == old:
                data["outcome"] = new
                touched = True
            previous = data.get("previous")
            if isinstance(previous, dict) and previous.get("outcome") == old:
                previous["outcome"] = new
                touched = True
            if touched:
                changed.append((event.pk, data))
        if not changed:
            return
        postgres = schema_editor.connection.vendor == "postgresql"
        if postgres:
            schema_editor.execute(f"ALTER TABLE issues_issueevent DISABLE TRIGGER {TRIGGER}", params=None)
        for pk, data in changed:
            IssueEvent.objects.filter(pk=pk).update(data=data)
        if postgres:
            schema_editor.execute(f"ALTER TABLE issues_issueevent ENABLE TRIGGER {TRIGGER}", params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0007_issue_events_append_only"),
    ]

    operations = [
        migrations.RunPython(_rename(OLD, NEW), _rename(NEW, OLD)),
        migrations.AlterField(
            model_name="issue",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("solved", "已解决"),
                    ("partly", "部分解决"),
                    ("explained", "解释说明"),
                    ("referred_up", "提级办理"),
                ],
                max_length=12,
                verbose_name="答复结果",
            ),
        ),
    ]
