"""API tokens in the ``Authorization`` header: ``Token <key>`` as the API has always taken, or ``Bearer <key>``.

Clients generated from the schema send ``Bearer`` by default (the schema declares an HTTP bearer scheme, the
one form every generator understands); existing callers keep sending ``Token``. Both name the same key.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authentication import get_authorization_header

KEYWORDS = ("Token", "Bearer")


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with ``Bearer`` accepted beside ``Token`` (either case)."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in {word.lower().encode() for word in KEYWORDS}:
            return None
        # DRF's own messages (translated in its catalogue) for a header that is not "<keyword> <key>".
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(_("Invalid token header. No credentials provided."))
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from None
        return self.authenticate_credentials(key)


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "services.core.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "令牌来自 POST /api/v1/auth/token/；请求头写 `Authorization: Bearer <token>`"
                "（`Authorization: Token <token>` 同样有效）。\n\n"
                "The token comes from POST /api/v1/auth/token/; send `Authorization: Bearer <token>` "
                "(`Authorization: Token <token>` works the same)."
            ),
        }
