"""Django's database sessions, with the read that every signed-in page makes written out.

Same table, same rows, same expiry: only ``_get_session_from_db`` differs. The ORM spent more CPU compiling
that one-row read than PostgreSQL spent answering it, on every page view (``services.core.sqlread``).
"""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from services.core import sqlread


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        shape = sqlread.columns(self.model, "sess", ("session_data", "expire_date"))
        found = sqlread.rows(
            f"SELECT {shape.sql} FROM {shape.table} WHERE sess.session_key = %s AND sess.expire_date > %s",
            [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            shape,
        )
        if not found:
            self._session_key = None
            return None
        return found[0][0]
