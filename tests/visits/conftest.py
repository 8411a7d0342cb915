# The issue tests' snapshot check, shared here.
from tests.issues.conftest import nothing_changes

__all__ = ["nothing_changes"]
