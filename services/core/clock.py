"""The one source of "now" for business rules.

Actions, deadlines and sweeps ask ``clock.now()``. The demo builder replays 2023 at 2023's dates and tests
move time with ``clock.travel_to``; a context variable keeps that local to the code that asked for it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("jiangjin_clock", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def travel_to(moment: datetime) -> Iterator[datetime]:
    if timezone.is_naive(moment):
        raise ValueError("travel_to needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)
