"""Client-made keys that make a submission safe to send again.

A phone's offline queue catching up, an answer lost on a weak signal, a double click or a retry after a 503:
the same submission arrives twice. The client sends a random UUID with it (``client_key``); the action that
finds the key already used returns what the first send made instead of making it again.
"""

import uuid

from django.utils.translation import gettext as _

from services.core.errors import InvalidInput


def parse_client_key(value: uuid.UUID | str | None) -> uuid.UUID | None:
    """The key, ``None`` when none was sent; anything that is not a UUID is refused."""
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput({"client_key": [_("提交标识格式不正确。")]}) from None


def key_taken() -> InvalidInput:
    # Keys are random: someone else's key is a forged or broken client, never a repeat.
    return InvalidInput({"client_key": [_("提交标识已被使用。")]})
