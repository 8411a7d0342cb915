"""The OpenAPI schema as an integrator's generator reads it (``/api/schema/``).

A client generated from the schema with no configuration (openapi-python-client, OpenAPI Generator) must work
as generated; ``tests/api_client`` proves it on every CI run. What that takes, in one place:

- **Bodies are JSON**, except the uploads, which name their own media type (``multipart/form-data`` with a
  binary file field). The parsers say the same (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`` is JSON only; an
  upload view sets ``parser_classes``): a body of another type answers 415. One media type per operation,
  because a generator cannot serve a union of three.
- **Error codes are an enum**: every error body's ``code`` is one of ``ErrorCodeEnum``
  (``services.core.errors.ErrorCode``).
- **Downloads are binary**: ``application/octet-stream`` comes first beside the real types.
- **Names are English and declared once**: an enum in a query parameter is a reference to the component enum
  with the same values (``StatusEnum``) or a component of its own, never an inline enum named after a Chinese
  label; an empty choice is an empty string, not a ``BlankEnum``.
- **Types are exact**: a yes/no filter is a boolean and a row id or a year an integer, whatever the filter's method.
- **Pages are named** ``<Item>Page``.
- **A blank choice is declared**: a read-only choice whose model field may be blank may be "".

Wired by ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` and ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``.
"""

import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.parsers import JSONParser

JSON = "application/json"
OCTET_STREAM = "application/octet-stream"
_REF = "#/components/schemas/"


class AutoSchema(openapi.AutoSchema):
    def map_parsers(self) -> list[str]:
        """JSON only, where the view parses JSON; a view without a JSON parser (an upload) keeps its own."""
        parsers = self.view.get_parsers()
        if any(isinstance(parser, JSONParser) for parser in parsers):
            return [JSON]
        return super().map_parsers()

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{serializer_name}Page"

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A read-only choice of a model field that may be blank may answer "": DRF drops ``allow_blank``
        from read-only fields, and the schema would otherwise promise one of the choices."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        enum = schema.get("enum")
        if enum is not None and "" not in enum and field.read_only and _model_field_may_be_blank(field):
            schema = {**schema, "enum": [*enum, ""]}
        return schema


def _model_field_may_be_blank(field: serializers.Field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not isinstance(field, serializers.ChoiceField) or "." in (field.source or "."):
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class FilterExtension(DjangoFilterExtension):
    """django-filter parameters with exact types: a boolean filter is a boolean and an id filter an integer,
    also when the filter has a ``method`` whose hint the generic extension cannot read."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        exact = _exact_type(field_name, filter_field)
        if exact is not None:
            for parameter in parameters:
                parameter["schema"] = {**parameter["schema"], **build_basic_type(exact)}
        return parameters


def _is_whole_number(field_name: str, filter_field: Any) -> bool:
    """A row id (``unit``, ``enterprise__town_id``) or a year."""
    names = (field_name, filter_field.field_name or "")
    return any(name in {"id", "year"} or name.endswith(("_id", "__year")) for name in names) or issubclass(
        filter_field.field_class, forms.IntegerField
    )


def _exact_type(field_name: str, filter_field: Any) -> OpenApiTypes | None:
    if isinstance(filter_field, django_filters.BooleanFilter):
        return OpenApiTypes.BOOL
    if isinstance(filter_field, django_filters.NumberFilter) and not isinstance(
        filter_field, django_filters.NumericRangeFilter
    ):
        return OpenApiTypes.INT if _is_whole_number(field_name, filter_field) else None
    return None


# ---------------------------------------------------------------- post-processing hooks


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def declare_binary_downloads(result: dict, generator, request, public) -> dict:
    """A response whose every media type is a binary string also offers ``application/octet-stream``, first:
    a generator then hands the caller the bytes, whatever ``Content-Type`` the file has."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content") or {}
                binary = [
                    media
                    for media in content.values()
                    if media.get("schema", {}).get("format") == "binary"
                    and media["schema"].get("type") == "string"
                ]
                if content and len(binary) == len(content) and OCTET_STREAM not in content:
                    response["content"] = {
                        OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}},
                        **content,
                    }
    return result


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def _enum_ref(schema: dict, components: dict, name_hint: str) -> dict:
    """The component that declares exactly this enum's values, made if none does."""
    values = schema["enum"]
    for name, component in components.items():
        enum = component.get("enum") if isinstance(component, dict) else None
        if enum is not None and sorted(map(str, enum)) == sorted(map(str, values)):
            return {"$ref": _REF + name}
    name = f"{_camel(name_hint)}Enum"
    suffix = 2
    while name in components:
        name = f"{_camel(name_hint)}{suffix}Enum"
        suffix += 1
    components[name] = {key: value for key, value in schema.items() if key not in {"title", "description"}}
    return {"$ref": _REF + name}


def name_parameter_enums(result: dict, generator, request, public) -> dict:
    """An enum in a query parameter refers to the one component that declares its values."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if "enum" in schema:
                    parameter["schema"] = _enum_ref(schema, components, parameter["name"])
                elif "enum" in schema.get("items", {}):
                    schema["items"] = _enum_ref(schema["items"], components, parameter["name"])
    return result


def drop_blank_enum(result: dict, generator, request, public) -> dict:
    """``oneOf: [LadderEnum, BlankEnum]`` becomes ``oneOf: [LadderEnum, ""]``: a generator names the one value
    of ``BlankEnum`` ``VALUE_0``; an empty string is what the field holds when nothing is chosen."""
    components = result.get("components", {}).get("schemas", {})
    blank = {"$ref": _REF + "BlankEnum"}
    if "BlankEnum" not in components:
        return result
    for node in _walk(result):
        for key in ("oneOf", "anyOf"):
            if key in node:
                node[key] = [
                    {"type": "string", "maxLength": 0} if choice == blank else choice for choice in node[key]
                ]
    del components["BlankEnum"]
    return result


def document_invalid_cursor(result: dict, generator, request, public) -> dict:
    """Every list may answer 400 for a cursor it cannot read, in the one error shape."""
    for path_item in result.get("paths", {}).values():
        operation = path_item.get("get")
        if not isinstance(operation, dict):
            continue
        ok = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        if ok.get("schema", {}).get("$ref", "").endswith("Page"):
            operation["responses"].setdefault(
                "400",
                {
                    "description": "输入有误（如分页游标无效）/ invalid input (such as a cursor)",
                    "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}},
                },
            )
            operation["responses"] = dict(sorted(operation["responses"].items()))
    return result
