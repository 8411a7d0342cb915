"""Logins that resist guessing: one lockout policy for the site's login, the admin's and the API's token.

django-axes counts failed logins in the database (shared by every web process) per username and per client
address (``AXES_LOCKOUT_PARAMETERS``). After ``JIANGJIN_LOGIN_FAILURE_LIMIT`` failures within the cool-off,
that username, and that address, are refused for ``JIANGJIN_LOGIN_COOLOFF_MINUTES`` — even with the right
password — and the page says in words how long to wait. A successful login clears the count. Administrators
see and clear lockouts under 访问尝试 (Access attempts) in the admin, or with ``manage.py axes_reset``.

The client address is the one the API's throttles use (DRF's ``NUM_PROXIES`` hops behind the proxies), so one
client is one client everywhere.
"""

import math
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address the API's throttles count by."""
    return BaseThrottle().get_ident(request) or None


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or address before the password is checked.

    ``authenticate()`` without a request (a management command, the shell) is not a login from the web: it
    is neither counted nor refused here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def seconds_to_wait(request: HttpRequest, username: str | None) -> int:
    """How long until the latest counted failure of this username or address falls out of the cool-off."""
    cool_off = get_cool_off(request) or timedelta(0)
    address = client_address(request)
    attempts = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    latest = None
    for column, value in (("username", username), ("ip_address", address)):
        if value:
            row = attempts.filter(**{column: value}).order_by("-attempt_time").only("attempt_time").first()
            if row is not None and (latest is None or row.attempt_time > latest):
                latest = row.attempt_time
    if latest is None:
        return int(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _("登录失败次数过多，该账号或本机地址已被暂时锁定，请在%(minutes)d分钟后再试。") % {
        "minutes": minutes
    }


def _form_with_error(form_class: type[AuthenticationForm], request: HttpRequest, username: str, message: str):
    form = form_class(request, initial={"username": username})
    form.cleaned_data = {}
    form._errors = ErrorDict()
    form.add_error(None, message)
    return form


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again (the site's or the admin's), with the waiting time, 429."""
    username = get_client_username(request, credentials) or ""
    seconds = seconds_to_wait(request, username)
    message = lockout_message(seconds)
    redirect_to = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if request.path.startswith("/admin/"):
        from django.contrib import admin

        context = {
            **admin.site.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": username,
            "form": _form_with_error(AdminAuthenticationForm, request, username, message),
            REDIRECT_FIELD_NAME: redirect_to,
        }
        response = render(request, "admin/login.html", context, status=429)
    else:
        context = {
            "form": _form_with_error(AuthenticationForm, request, username, message),
            REDIRECT_FIELD_NAME: redirect_to,
        }
        response = render(request, "web/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
