"""Template source rules that the template engine does not enforce itself."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*ROOT.glob("services/*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")])


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_comment_spans_lines_which_django_would_print_as_text(template):
    # Django's {# … #} ends on its own line; one that runs on is shown to the user verbatim.
    source = template.read_text(encoding="utf-8")

    assert not [line for line in source.splitlines() if re.search(r"\{#(?!.*#\})", line)]
