from pathlib import Path

import pytest

from emtihan.accounts.models import User


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A fresh MEDIA_ROOT per test, so "no file was stored" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def make_superuser() -> User:
    return User.objects.create_superuser(email="admin@test.local", password="pass-2026")
