"""What a person sees when the server fails under a request (``handler500``).

A database that went away in the middle of a request (the server restarted or ended the connection, a
failover) is not a bug of the request: it answers 503 with ``Retry-After``, on a page or in the API's error
shape, saying that the step may or may not have been done. The API's own views answer the same from their
exception handler (``services.core.api``); this covers what fails outside them, such as the session read
that starts every signed-in page. Nothing here touches the database. Anything else is Django's 500.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from services.core.api import error_body
from services.core.errors import ErrorCode


def server_error(request: HttpRequest) -> HttpResponse:
    failure = sys.exc_info()[1]
    if not isinstance(failure, OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _("数据库暂时不可用，操作可能未完成，请查看后重试。")
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(ErrorCode.UNAVAILABLE, message), status=503)
    else:
        response = HttpResponse(render_to_string("web/unavailable.html", {"message": message}), status=503)
    response["Retry-After"] = "1"
    return response
