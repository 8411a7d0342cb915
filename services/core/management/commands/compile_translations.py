"""Compile the project's .po catalogues to .mo with polib, so no GNU gettext is needed.

Looks in every directory of settings.LOCALE_PATHS and in the ``locale/`` directory of every installed app
that lives inside the project (Django's and third-party apps ship their own compiled catalogues). A .mo
that is newer than its .po is left alone unless ``--force`` is given.
"""

import os
import re
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# printf-style placeholders as Python's % operator reads them: "%(name)s", "%s", "%d", "%%".
_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<kind>[a-zA-Z%])"
)


def _placeholders(text: str) -> tuple[set[str], int]:
    """Named placeholders and the number of positional ones in a python-format string."""
    names: set[str] = set()
    positional = 0
    for match in _PLACEHOLDER.finditer(text):
        if match["kind"] == "%":
            continue
        if match["name"] is not None:
            names.add(match["name"])
        else:
            positional += 1
    return names, positional


def _format_errors(entry: polib.POEntry) -> list[str]:
    """Translations that would raise at render time: unknown named or miscounted positional placeholders.

    GNU msgfmt --check-format (what Django's compilemessages runs) refuses these too.
    """
    if "python-format" not in entry.flags or not entry.translated():
        return []
    source_names, source_positional = _placeholders(entry.msgid)
    if entry.msgid_plural:
        plural_names, plural_positional = _placeholders(entry.msgid_plural)
        source_names |= plural_names
        source_positional = max(source_positional, plural_positional)
        translations = list(entry.msgstr_plural.values())
    else:
        translations = [entry.msgstr]
    errors = []
    for translation in translations:
        names, positional = _placeholders(translation)
        if names - source_names:
            errors.append(f"unknown placeholder(s) {sorted(names - source_names)} in {translation!r}")
        if positional != source_positional and not entry.msgid_plural:
            errors.append(
                f"{positional} positional placeholder(s) in {translation!r}, {source_positional} in the msgid"
            )
    return errors


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po (project and in-project apps) to .mo with polib."

    # Runs before migrate and on build machines without a database: nothing here needs the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Recompile even when the .mo is up to date.")

    def handle(self, *args, force: bool = False, **options) -> None:
        catalogues = sorted(
            {po for directory in self._locale_dirs() for po in directory.glob("*/LC_MESSAGES/*.po")}
        )
        if not catalogues:
            self.stdout.write("compile_translations: no .po catalogues found; nothing to compile.")
            return
        compiled, failures = 0, []
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                if options["verbosity"] >= 2:
                    self.stdout.write(f"up to date: {self._display(mo_path)}")
                continue
            try:
                self._compile(po_path, mo_path)
            except CommandError as error:
                failures.append(str(error))
                continue
            compiled += 1
            self.stdout.write(f"compiled {self._display(po_path)} -> {mo_path.name}")
        up_to_date = len(catalogues) - compiled - len(failures)
        self.stdout.write(f"compile_translations: {compiled} compiled, {up_to_date} already up to date.")
        if failures:
            raise CommandError("\n".join(failures))

    def _locale_dirs(self) -> list[Path]:
        base_dir = Path(settings.BASE_DIR).resolve()
        directories = [Path(path) for path in settings.LOCALE_PATHS]
        directories.append(base_dir / "locale")
        for app_config in apps.get_app_configs():
            app_dir = Path(app_config.path).resolve()
            if app_dir.is_relative_to(base_dir) and ".venv" not in app_dir.relative_to(base_dir).parts:
                directories.append(app_dir / "locale")
        unique: dict[Path, None] = {}
        for directory in directories:
            if directory.is_dir():
                unique.setdefault(directory.resolve(), None)
        return list(unique)

    def _compile(self, po_path: Path, mo_path: Path) -> None:
        try:
            catalogue = polib.pofile(str(po_path), wrapwidth=0)
        except (OSError, ValueError) as error:
            raise CommandError(f"{self._display(po_path)}: cannot read the catalogue: {error}") from error
        problems = [
            f"{self._display(po_path)}:{entry.linenum}: {message}"
            for entry in catalogue
            for message in _format_errors(entry)
        ]
        if problems:
            raise CommandError(
                f"{self._display(po_path)} not compiled; translations that would fail at run time:\n"
                + "\n".join(problems)
            )
        # Write beside the target and rename, so a running server never reads a half-written catalogue.
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=f".{mo_path.name}.", suffix=".tmp")
        os.close(handle)
        try:
            catalogue.save_as_mofile(temporary)
            os.chmod(temporary, 0o644)
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @staticmethod
    def _display(path: Path) -> str:
        try:
            return str(path.relative_to(Path(settings.BASE_DIR).resolve()))
        except ValueError:
            return str(path)
