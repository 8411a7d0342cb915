"""The settings a test's worker process runs with: the test settings, with tasks sent through the broker.

A worker on ``jiangjin.settings.test`` would run the tasks it queues itself (reminders' notifications, for
one) in place; in production they go through Redis to whichever worker is free, and so they do here.
"""

from jiangjin.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
