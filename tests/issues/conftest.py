from contextlib import contextmanager

import pytest

from tests.factories import (
    DispatcherFactory,
    EnterpriseUserFactory,
    HandlerFactory,
    UnitHeadFactory,
)
from tests.factories import issues as make
from tests.issues.state import database_state


@pytest.fixture
def nothing_changes(django_capture_on_commit_callbacks):
    """``with nothing_changes(), pytest.raises(...)``: the refused call wrote nothing and scheduled nothing.

    Compares every issue row, event, clock, unit part, extension request, number sequence, visit and
    notification before and after, and checks that no after-commit side effect (notification) was queued.
    """

    @contextmanager
    def check():
        before = database_state()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield
        assert callbacks == [], "a refused action scheduled a side effect"
        assert database_state() == before

    return check


@pytest.fixture
def second_dispatcher(db):
    return DispatcherFactory(display_name="孙调度")


@pytest.fixture
def second_handler(unit):
    return HandlerFactory(unit=unit, display_name="吴经办")


@pytest.fixture
def co_unit_head(co_unit):
    return UnitHeadFactory(unit=co_unit, display_name="高主任")


@pytest.fixture
def other_unit_head(other_unit):
    return UnitHeadFactory(unit=other_unit, display_name="罗局长")


@pytest.fixture
def stranger(db):
    """A user of another enterprise."""
    return EnterpriseUserFactory(display_name="马晓梅")


class Builder:
    """Issues in a given stage, built through the real actions (see tests.factories.issues)."""

    def __init__(self, *, enterprise_user, dispatcher, category, handler):
        self.enterprise_user = enterprise_user
        self.dispatcher = dispatcher
        self.category = category
        self.handler = handler

    def _base(self, **kw):
        return {"enterprise_user": self.enterprise_user, "category": self.category, **kw}

    def filed(self, **kw):
        return make.filed(**self._base(**kw))

    def accepted(self, **kw):
        return make.accepted(dispatcher=self.dispatcher, **self._base(**kw))

    def dispatched(self, *, unit=None, co_units=(), **kw):
        return make.dispatched(
            dispatcher=self.dispatcher, unit=unit or self.handler.unit, co_units=co_units, **self._base(**kw)
        )

    def handling(self, **kw):
        return make.handling(dispatcher=self.dispatcher, handler=self.handler, **self._base(**kw))

    def responded(self, **kw):
        return make.responded(dispatcher=self.dispatcher, handler=self.handler, **self._base(**kw))

    def under_review(self, **kw):
        return make.under_review(dispatcher=self.dispatcher, handler=self.handler, **self._base(**kw))


@pytest.fixture
def build(enterprise_user, dispatcher, category, handler):
    return Builder(enterprise_user=enterprise_user, dispatcher=dispatcher, category=category, handler=handler)
