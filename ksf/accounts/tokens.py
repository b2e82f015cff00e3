"""API tokens: one per user, created and revoked by the user on their profile pages."""

from __future__ import annotations

from rest_framework.authtoken.models import Token

from ksf.core.audit import audit_record

from .models import User


def token_create(*, user: User) -> Token:
    """A new token for `user`; an existing one is replaced (revoked)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(actor=user, action="api_token.create", object_type="authtoken.token", object_id=user.pk, object_repr=str(user.username))
    return token


def token_revoke(*, user: User) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="api_token.revoke", object_type="authtoken.token", object_id=user.pk, object_repr=str(user.username))
    return bool(deleted)
