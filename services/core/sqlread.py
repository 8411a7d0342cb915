"""Model instances from written-out statements, for the few reads that run on every page view.

On the problem page the ORM spent more CPU building and compiling its statements (joins of several models,
deferred columns, subqueries) than PostgreSQL spent running them. The statements of those reads are
written out where they are used; this module gives them the columns to select and turns each row back into
the same model instances the ORM would have made: the backend's and the fields' converters are applied
(aware datetimes on SQLite, JSON, booleans), columns left out are deferred as with ``only()``, and related
rows read by the same statement are cached on their instance as ``select_related`` caches them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Field, Model


@dataclass(frozen=True)
class Columns:
    """Some concrete columns of ``model`` under a table alias, in a fixed order."""

    model: type[Model]
    alias: str
    fields: tuple[Field, ...]

    @property
    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    @property
    def table(self) -> str:
        return f"{table(self.model)} AS {self.alias}"

    def build(self, values: Sequence) -> Model | None:
        """The instance of one row's values (``None`` for the empty side of a LEFT JOIN)."""
        if values[0] is None:
            return None
        converted = list(values)
        for index, converters, expression in _converters(self):
            value = converted[index]
            for converter in converters:
                value = converter(value, expression, connection)
            converted[index] = value
        return self.model.from_db(DEFAULT_DB_ALIAS, _attnames(self), converted)


@cache
def columns(model: type[Model], alias: str, names: tuple[str, ...] = ()) -> Columns:
    """The primary key first, then ``names`` (field names), or every concrete field when none are named."""
    pk = model._meta.pk
    if names:
        fields = (pk, *(model._meta.get_field(name) for name in names if name != pk.name))
    else:
        fields = (pk, *(field for field in model._meta.concrete_fields if field is not pk))
    return Columns(model, alias, fields)


@cache
def _attnames(columns: Columns) -> list[str]:
    return [field.attname for field in columns.fields]


def _converters(columns: Columns) -> list:
    # Per connection vendor, as the compiler asks: the backend's converters, then the field's own.
    return _converters_for(columns, connection.vendor)


@cache
def _converters_for(columns: Columns, vendor: str) -> list:
    found = []
    for index, field in enumerate(columns.fields):
        expression = field.get_col(columns.alias)
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if converters:
            found.append((index, converters, expression))
    return found


def table(model: type[Model]) -> str:
    """The model's table name, quoted for a written-out statement."""
    return connection.ops.quote_name(model._meta.db_table)


def rows(sql: str, params: Sequence, *shapes: Columns) -> list[tuple]:
    """Run ``sql`` (whose SELECT starts with ``shapes``' columns, in order) and give, per row, one instance
    per shape followed by the row's remaining values."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    out = []
    for row in fetched:
        start, built = 0, []
        for shape in shapes:
            end = start + len(shape.fields)
            built.append(shape.build(row[start:end]))
            start = end
        out.append((*built, *row[start:]))
    return out


def attach(instance: Model, field_name: str, related: Model | None) -> None:
    """Cache ``related`` as ``instance.<field_name>``, as ``select_related`` would."""
    type(instance)._meta.get_field(field_name).set_cached_value(instance, related)
