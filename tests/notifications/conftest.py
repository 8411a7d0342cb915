# The issue tests' people and issue builder, shared here.
from tests.issues.conftest import build, co_unit_head, second_dispatcher

__all__ = ["build", "co_unit_head", "second_dispatcher"]
