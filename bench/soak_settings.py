"""Settings for bench/soak.py: the production settings, unchanged, except where e-mails and texts go.

Every e-mail and SMS the worker sends is appended as one line to the file named by JIANGJIN_SOAK_SENT
(``bench.soak_delivery``), so that the soak can count what actually left against the delivery rows: a
message sent twice shows up as two lines for one row.
"""

from jiangjin.settings.base import *  # noqa: F403

EMAIL_BACKEND = "bench.soak_delivery.JournalEmailBackend"
JIANGJIN_SMS_SENDER = "bench.soak_delivery.JournalSmsSender"
