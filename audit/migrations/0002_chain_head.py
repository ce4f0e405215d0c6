"""The audit chain's head in one row, moved by a trigger on every insert into the audit
log (``audit.chain_head``): ``audit_record`` reads and locks it in one statement instead
of taking a separate chain lock and then reading the newest event. The head starts at
the newest event already in the log. The audit table's content does not change."""

from django.db import migrations, models

from audit.chain_head import EVENT_TABLE, GENESIS_HASH, HEAD_TABLE, drop_statements, trigger_statements


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, hash FROM {EVENT_TABLE} ORDER BY id DESC LIMIT 1")
        newest = cursor.fetchone() or (0, GENESIS_HASH)
        cursor.execute(f"INSERT INTO {HEAD_TABLE} (id, event_id, hash) VALUES (1, %s, %s)", list(newest))
        if connection.vendor in ("sqlite", "postgresql"):
            for sql in trigger_statements(connection.vendor):
                cursor.execute(sql)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor in ("sqlite", "postgresql"):
        with connection.cursor() as cursor:
            for sql in drop_statements(connection.vendor):
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("event_id", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "db_table": "audit_chainhead",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_chainhead_one_row")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
