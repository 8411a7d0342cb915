"""clock: the one source of "now"; tests and the demo builder move it with travel_to."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from services.core import clock
from tests.issues.state import shanghai


def test_without_travel_the_clock_reads_the_real_time():
    before = timezone.now()
    now = clock.now()

    assert before <= now <= timezone.now()
    assert now.tzinfo is not None


def test_travel_to_sets_now_to_the_moment_given():
    with clock.travel_to(shanghai(2025, 9, 30, 10)) as moment:
        assert clock.now() == moment == datetime(2025, 9, 30, 2, 0, tzinfo=UTC)


def test_the_clock_stands_still_while_travelled():
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        first = clock.now()
        second = clock.now()

    assert first == second


def test_the_real_time_returns_after_travelling():
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        pass

    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)


def test_the_real_time_returns_even_when_the_block_raises():
    with pytest.raises(RuntimeError), clock.travel_to(shanghai(2025, 9, 30, 10)):
        raise RuntimeError("boom")

    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)


def test_nested_travel_returns_to_the_outer_moment():
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        with clock.travel_to(shanghai(2026, 2, 14, 9)):
            assert clock.now() == shanghai(2026, 2, 14, 9)
        assert clock.now() == shanghai(2025, 9, 30, 10)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="aware"), clock.travel_to(datetime(2025, 9, 30, 10)):
        pass


def test_travel_in_one_thread_does_not_move_the_clock_of_another():
    seen = []

    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()

    assert seen[0] != shanghai(2025, 9, 30, 10)
