"""The English catalogue these tests read: compiled here when missing or older than its .po.

``make test`` compiles translations before pytest; this makes ``pytest tests/i18n`` work on its own too.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed


def english_catalogue() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session", autouse=True)
def _english_catalogue_is_compiled():
    po_path = english_catalogue()
    assert po_path.is_file(), f"{po_path} is missing: run makemessages -l en and translate it"
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        call_command("compile_translations", stdout=StringIO())
        # Catalogues Django loaded before the .mo existed (or was refreshed) are cached per process: drop them.
        translation_file_changed(sender=None, file_path=mo_path)
    return mo_path
