"""Backup with the online API / pg_dump, verified when taken; restore into an
empty database reproduces every table exactly (DATA-2, DATA-3)."""

from __future__ import annotations


def test_backup_then_restore_into_an_empty_database_reproduces_every_table(
    scratch_db, restore_target, tmp_path
):
    scratch_db.run("-m", "tests.trust.dbtool", "write", "--worker", "1", "--count", "15")
    backup_file = tmp_path / "kinetic.backup"
    out = scratch_db.manage("backup", "--output", str(backup_file)).stdout
    assert "Backup OK" in out
    assert ("integrity_check ok" in out) if scratch_db.vendor == "sqlite" else ("pg_restore --list ok" in out)
    assert (tmp_path / "kinetic.backup.sha256").exists()
    before = scratch_db.tool("checksums")

    restored = restore_target.manage("restore", str(backup_file), "--yes").stdout
    assert "Restore OK" in restored
    after = restore_target.tool("checksums", "--skip-audit-action", "restore_backup")

    assert set(after) == set(before)
    mismatched = [t for t in before if before[t] != after[t]]
    assert mismatched == []
    assert before["clinic_client"]["rows"] == 15
    summary = restore_target.tool("summary")
    assert summary["chain_problems"] == []
    assert summary["chain_head_at_newest"]  # the restored head, moved on by the restore's own record
    assert summary["audit"] == before["clinic_auditevent"]["rows"] + 1  # plus the restore's own record
    assert "Audit log OK" in restore_target.manage("audit_verify").stdout


def test_a_damaged_backup_is_refused(scratch_db, restore_target, tmp_path):
    backup_file = tmp_path / "kinetic.backup"
    scratch_db.manage("backup", "--output", str(backup_file))
    data = bytearray(backup_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup_file.write_bytes(bytes(data))
    result = restore_target.manage("restore", str(backup_file), "--yes", check=False)
    assert result.returncode != 0
    assert "does not match its .sha256" in result.stderr


def test_backup_and_restore_are_audited(scratch_db, restore_target, tmp_path):
    backup_file = tmp_path / "kinetic.backup"
    scratch_db.manage("backup", "--output", str(backup_file))
    restore_target.manage("restore", str(backup_file), "--yes")
    code = (
        "import django, json; django.setup(); from audit.models import AuditEvent;"
        "print(json.dumps(list(AuditEvent.objects.order_by('id').values_list('action', flat=True))))"
    )
    actions = restore_target.run("-c", code).stdout
    assert '"backup"' in actions and '"restore_backup"' in actions


def test_backups_are_private_and_an_unencrypted_one_warns_loudly(scratch_db, tmp_path):
    folder = tmp_path / "backups"
    backup_file = folder / "kinetic.backup"
    result = scratch_db.manage("backup", "--output", str(backup_file))
    assert folder.stat().st_mode & 0o777 == 0o700
    for path in (backup_file, folder / "kinetic.backup.sha256"):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert "WARNING: kinetic.backup is NOT encrypted" in result.stderr


def test_an_existing_open_backup_folder_is_made_private(scratch_db, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    scratch_db.manage("backup", "--output", str(folder / "kinetic.backup"))
    assert folder.stat().st_mode & 0o777 == 0o700
