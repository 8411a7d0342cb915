"""Errors that actions raise. Views turn them into 400/403/404 with the message shown to the user."""

from django.core.exceptions import ValidationError


class ActionRefused(Exception):
    """The base of every refusal: nothing was written."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code


class NotPermitted(ActionRefused):
    """The actor may see the object but may not do this to it (403)."""

    code = "not_permitted"


class InvalidTransition(ActionRefused):
    """The object is not in a state that allows this (409/400)."""

    code = "invalid_transition"


class InvalidInput(ActionRefused):
    """The input breaks a rule; ``errors`` maps field names to messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        first = next(iter(errors.values()))[0]
        super().__init__(first)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "InvalidInput":
        if hasattr(error, "error_dict"):
            return cls({field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()})
        return cls({"__all__": [str(m) for m in error.messages]})
