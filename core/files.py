"""The clinic's private data folder on disk: where backups and the published audit heads
live unless settings name another place."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


class PrivateFolderError(OSError):
    """A folder that must be private could not be made so."""


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def private_folder(folder: Path) -> None:
    """Create the folder only this user can enter (0700). An existing folder is
    tightened to 0700 too: backups and audit heads hold every client's record."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        try:
            folder.chmod(0o700)
        except OSError as exc:
            raise PrivateFolderError(f"cannot make the backup folder {folder} private (0700): {exc}") from exc
