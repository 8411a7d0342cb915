"""The cache keeps nothing that cannot be recomputed: Redis being away must not fail a request.

What the cache holds (the header's unread count, the API's throttle counters) is recomputed or simply
restarted when it is missing. So while Redis cannot be reached (a restart, a failover) every read is a miss and
every write is dropped, with a warning in the log, instead of a 500 on every page. Throttles count afresh
during the outage; login lockouts are kept in the database (django-axes) and do not depend on the cache.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache that keeps nothing while Redis is unreachable."""

    def _or(self, fallback: Any, operation: Callable[[], Any], name: str) -> Any:
        try:
            return operation()
        except UNREACHABLE as error:
            logger.warning("cache %s skipped, Redis unreachable: %s", name, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._or(default, lambda: super(ResilientRedisCache, self).get(key, default, version), "get")

    def get_many(self, keys, version=None):
        return self._or({}, lambda: super(ResilientRedisCache, self).get_many(keys, version), "get_many")

    def has_key(self, key, version=None):
        return self._or(False, lambda: super(ResilientRedisCache, self).has_key(key, version), "has_key")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(
            False, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), "add"
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(
            None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), "set"
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(
            list(data),
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            "set_many",
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version), "touch")

    def delete(self, key, version=None):
        return self._or(False, lambda: super(ResilientRedisCache, self).delete(key, version), "delete")

    def delete_many(self, keys, version=None):
        return self._or(
            None, lambda: super(ResilientRedisCache, self).delete_many(keys, version), "delete_many"
        )

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            logger.warning("cache incr skipped, Redis unreachable: %s", error)
            raise ValueError(f"Key '{key}' not found (Redis unreachable)") from error  # as for a missing key
