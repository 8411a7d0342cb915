"""Calls that really overlap, for tests of what happens when two people (or two sends) act at the same moment.

Each call runs in its own thread with its own database connection (closed when the thread ends); a barrier
releases them together. Needs ``django_db(transaction=True)`` and PostgreSQL's row locks to mean anything.
"""

import threading
from datetime import datetime

from django.db import connection

from services.core import clock


def race(*calls, at: datetime | None = None) -> list:
    """Run the calls in parallel threads, released together (at ``at`` on the clock, if given); return each
    call's result or exception."""
    barrier = threading.Barrier(len(calls), timeout=20)
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()
            barrier.wait()
            if at is None:
                outcomes[index] = call()
            else:
                with clock.travel_to(at):
                    outcomes[index] = call()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return outcomes
