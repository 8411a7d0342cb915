#!/usr/bin/env python
import os
import sys

# Commands that only read the code and the settings sign nothing, so a missing secret key must not stop
# them (the migration check in CI, the image build). Everything else, the server above all, still refuses to
# start without one (settings/base.py); `check --deploy` is about production, so it does too.
BUILD_COMMANDS = frozenset(
    {"check", "makemigrations", "makemessages", "compile_translations", "collectstatic", "spectacular"}
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangjin.settings.base")
    if len(sys.argv) > 1 and sys.argv[1] in BUILD_COMMANDS and "--deploy" not in sys.argv:
        os.environ.setdefault("DJANGO_SECRET_KEY", "throwaway-key-for-build-commands-only")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
