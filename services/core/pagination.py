"""One pagination style for every list: the next page is fetched by sending back ``next_cursor`` as ``cursor``.

Every list answers ``{"next": url, "previous": url, "next_cursor": token, "previous_cursor": token,
"results": [...]}``; the URLs are there for callers that follow links, the tokens for generated clients, which
should not parse a URL. The big lists (issues, visits, notifications) page by a real cursor; the small
reference lists (units, categories, the calendar, targets) keep their page numbers and ``count`` for existing
callers, and their cursor is the page number: ``cursor=2`` and ``page=2`` are the same page.

Mixed into ``services.core.api.CursorPage`` and ``NumberedPage``.
"""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response

CURSOR = "cursor"
CURSOR_DESCRIPTION = (
    "分页游标：上一页的 next_cursor 或 previous_cursor / a page's next_cursor or previous_cursor"
)


def _token(link: str | None, parameter: str) -> str | None:
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get(parameter)
    return values[0] if values else None


def with_cursors(response: Response, parameter: str = CURSOR) -> Response:
    """The page's body with ``next_cursor`` and ``previous_cursor`` beside the links, read from them."""
    body = response.data
    ordered: dict[str, Any] = {}
    for key, value in body.items():
        if key == "results":
            ordered["next_cursor"] = _token(body.get("next"), parameter)
            ordered["previous_cursor"] = _token(body.get("previous"), parameter)
        ordered[key] = value
    response.data = ordered
    return response


def _cursor_fields(schema: dict) -> dict:
    properties = dict(schema["properties"])
    results = properties.pop("results")
    for name, purpose in (("next_cursor", "next"), ("previous_cursor", "previous")):
        properties[name] = {
            "type": "string",
            "nullable": True,
            "description": f"作为 cursor 参数发送以取得{'下' if purpose == 'next' else '上'}一页 / "
            f"send as the cursor parameter for the {purpose} page",
        }
    properties["results"] = results
    required = [*schema.get("required", ["next", "previous", "results"])]
    for name in ("next", "previous", "next_cursor", "previous_cursor", "results"):
        if name not in required:
            required.append(name)
    return {**schema, "properties": properties, "required": required}


class CursorTokens:
    """For ``CursorPagination``: the cursor tokens beside the links."""

    cursor_query_param = CURSOR

    def get_paginated_response(self, data):
        return with_cursors(super().get_paginated_response(data), self.cursor_query_param)

    def get_paginated_response_schema(self, schema):
        return _cursor_fields(super().get_paginated_response_schema(schema))


class PageNumberTokens:
    """For ``PageNumberPagination``: ``cursor`` names a page as ``page`` does, the links carry ``cursor``, and
    the body has the tokens beside the links (``count`` stays)."""

    cursor_query_param = CURSOR
    invalid_cursor_message = _("分页游标无效。")

    def get_page_number(self, request, paginator):
        cursor = request.query_params.get(self.cursor_query_param)
        if not cursor:  # absent or empty: the page parameter, else the first page
            return super().get_page_number(request, paginator)
        if not cursor.isdigit() or not 1 <= int(cursor) <= paginator.num_pages:
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["next"] = self._as_cursor_link(response.data.get("next"))
        response.data["previous"] = self._as_cursor_link(response.data.get("previous"))
        return with_cursors(response, self.cursor_query_param)

    def _as_cursor_link(self, link: str | None) -> str | None:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        if not link:
            return link
        number = _token(link, self.page_query_param) or "1"
        return replace_query_param(
            remove_query_param(link, self.page_query_param), self.cursor_query_param, number
        )

    def get_paginated_response_schema(self, schema):
        return _cursor_fields(super().get_paginated_response_schema(schema))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["deprecated"] = True
                parameter["description"] = "页码；请改用 cursor / page number; use cursor instead"
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": CURSOR_DESCRIPTION,
            "schema": {"type": "string"},
        }
        return [cursor, *parameters]
