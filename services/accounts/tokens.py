"""API tokens that can end: stored hashed (django-rest-knox), expiring, revocable by their owner.

- ``POST /api/v1/auth/token/`` gives a new token for each login, valid ``JIANGJIN_TOKEN_TTL_DAYS`` days; only
  its SHA-512 digest is stored, so a database dump opens nothing.
- ``DELETE /api/v1/auth/token/`` revokes the token the request came with; ``DELETE /api/v1/auth/tokens/``
  revokes every token of the caller.
- A password change or a deactivation revokes every token of that person (``User.save``).

Clients send ``Authorization: Token <token>`` as they always have (``Bearer <token>`` is read the same way).
"""

from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

KEYWORDS = (b"token", b"bearer")
# Refusals use DRF's own messages ("Invalid token."), which its catalogue translates.


def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for ``user``: the row (digest, expiry) and the token itself, shown to the caller once."""
    return AuthToken.objects.create(user=user)


def revoke_all_tokens(user) -> int:
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's check in one query (the token's row with its user), expired tokens deleted as they are met."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in KEYWORDS:
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        return self.authenticate_credentials(auth[1])

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, ValueError):
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        now = timezone.now()
        for row in AuthToken.objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related(
            "user"
        ):
            if row.expiry is not None and row.expiry <= now:
                row.delete()
                continue
            if compare_digest(digest, row.digest):
                return self.validate_user(row)
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def validate_user(self, auth_token):
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return auth_token.user, auth_token

    def authenticate_header(self, request) -> str:
        return "Token"


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "services.accounts.tokens.TokenAuthentication"
    name = "tokenAuth"
    priority = 2

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "令牌来自 POST /api/v1/auth/token/，有效期有限，可用 DELETE 撤销；请求头写 "
                "`Authorization: Token <token>`（`Authorization: Bearer <token>` 同样有效）。\n\n"
                "The token comes from POST /api/v1/auth/token/, expires, and can be revoked with DELETE; send "
                "`Authorization: Token <token>` (`Authorization: Bearer <token>` works the same)."
            ),
        }
