"""Every page carries a Content-Security-Policy without inline script; the API docs come from our own static
files; production settings turn on HTTPS and HSTS (switchable) and put the docs behind a login."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _plain_paths(patterns=None, prefix: str = "/") -> list[str]:
    """Every route without a parameter, e.g. /, /login/, /admin/, /api/v1/issues/."""
    paths = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or (route.startswith("^") and route != "^"):
            continue
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            paths += _plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append(prefix + route)
    return sorted(set(paths))


def test_the_walk_finds_the_pages_of_every_kind():
    paths = _plain_paths()

    assert {"/", "/login/", "/admin/", "/api/v1/issues/", "/api/docs/"} <= set(paths)


@pytest.mark.parametrize("who", ["anonymous", "administrator", "dispatcher", "enterprise_user"])
def test_every_page_and_every_api_answer_carries_the_policy(who, request):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    missing = []
    for path in _plain_paths():
        if path.startswith("/logout/"):
            continue
        response = client.get(path)
        if CSP not in response:
            missing.append((path, response.status_code))

    assert missing == []


def test_the_policy_allows_no_inline_script_and_nothing_from_another_origin(client):
    policy = _directives(client.get("/login/")[CSP])

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize(
    "who", ["anonymous", "dispatcher", "enterprise_user", "handler", "specialist", "leader"]
)
def test_our_own_pages_have_no_inline_script_style_or_event_handler(who, request):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    offenders = []
    for path in _plain_paths():
        if path.startswith(("/admin/", "/api/", "/logout/")):
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
            if pattern.search(page):
                offenders.append((path, pattern.pattern))

    assert offenders == []


def test_the_admin_gets_the_policy_with_inline_styles_but_still_no_inline_script(administrator):
    client = Client()
    client.force_login(administrator)

    for path in ("/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/login/"):
        response = client.get(path)
        policy = _directives(response[CSP])
        assert policy["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" in policy["style-src"], path
        assert not INLINE_SCRIPT.search(response.content.decode()), path


def test_swagger_ui_and_redoc_are_served_from_our_own_static_files(client):
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)
        page = response.content.decode()

        assert response.status_code == 200, path
        assert "drf_spectacular_sidecar" in page, path
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), path
        assert not INLINE_SCRIPT.search(page), path
        assert _directives(response[CSP])["script-src"] == ["'self'"], path


def test_swagger_uis_start_up_script_is_a_file_of_this_origin(client):
    script = client.get("/api/docs/?script=")

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_in_production_the_schema_and_docs_need_a_login(settings, handler):
    settings.JIANGJIN_API_DOCS_PUBLIC = False
    anonymous = Client()

    assert anonymous.get("/api/schema/").status_code == 401
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/login/?next=/api/docs/")
    assert anonymous.get("/api/redoc/").status_code == 302
    signed_in = Client()
    signed_in.force_login(handler)
    assert signed_in.get("/api/schema/").status_code == 200
    assert signed_in.get("/api/docs/").status_code == 200


def _production_setting(names: str, **env: str) -> str:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_DEBUG", "JIANGJIN_DEMO", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DJANGO_SECRET_KEY="x" * 60, DATABASE_URL="sqlite://:memory:", **env)
    code = f"import jiangjin.settings.base as s; print({names})"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_redirects_to_https_and_sends_hsts_by_default():
    assert _production_setting(
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.JIANGJIN_API_DOCS_PUBLIC"
    ) == ("True 31536000 False")


def test_behind_a_proxy_that_does_https_both_can_be_switched_off():
    assert (
        _production_setting(
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_HSTS_SECONDS="0",
        )
        == "False 0"
    )
