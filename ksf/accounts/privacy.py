"""A person's own data: export everything that points at them, and erase them on request.

Export walks every model with a foreign key to the user (so new apps are included without
changes here) and adds the profile and memberships. Erasure removes the person but keeps
what they contributed: needs stay with their municipality and status history keeps
`actor_organisation`, so every change stays attributable to an organisation.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from ksf.core.audit import audit_record

from .models import Membership, User

# Technical rows that are not "data about the person" in a useful sense, or are secrets.
EXPORT_SKIP = {"sessions.session", "authtoken.token", "authtoken.tokenproxy", "core.auditevent", "admin.logentry"}
PROFILE_FIELDS = ["username", "full_name", "first_name", "last_name", "email", "language", "date_joined", "last_login"]


def _row(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.name in {"password"}:
            continue
        data[field.attname] = getattr(obj, field.attname)
    return data


def _user_foreign_keys() -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in EXPORT_SKIP or model is Membership:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                found.append((model, field.name))
    return found


def personal_data_export(user: User) -> dict[str, Any]:
    """Everything the portal holds about `user`, as plain JSON-safe data."""
    result: dict[str, Any] = {
        "exported_at": timezone.now(),
        "profile": {name: getattr(user, name) for name in PROFILE_FIELDS},
        "memberships": [
            {"organisation": m.organisation.name, "organisation_id": m.organisation_id, "role": m.role, "created_at": m.created_at}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "records": {},
    }
    for model, field_name in _user_foreign_keys():
        rows = [_row(obj) for obj in model._default_manager.filter(**{field_name: user}).order_by("pk")]
        if rows:
            result["records"].setdefault(model._meta.label_lower, {})[field_name] = rows
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder, default=str))


@transaction.atomic
def user_erase(*, user: User, by: Any = None) -> User:
    """Remove the person, keep their contributions. Idempotent."""
    user = User.objects.select_for_update().get(pk=user.pk)
    memberships = [
        {"organisation_id": m.organisation_id, "role": m.role} for m in Membership.objects.filter(user=user)
    ]
    Membership.objects.filter(user=user).delete()
    # Personal follow-ups are the person's, not the municipality's: remove them.
    follow_model = _model_or_none("needs", "Follow")
    if follow_model is not None:
        follow_model._default_manager.filter(user=user).delete()
    token_model = _model_or_none("authtoken", "Token")
    if token_model is not None:
        token_model._default_manager.filter(user=user).delete()
    user.username = f"slettet-{user.pk}"
    user.full_name = ""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.language = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session (the session hash changes)
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    audit_record(
        actor=by if by is not None and getattr(by, "pk", None) != user.pk else None,
        action="user.erase",
        obj=user,
        # The old username is not kept here: the audit log must not undo the erasure.
        old={"memberships": memberships},
        new={"username": user.username},
    )
    return user


def _model_or_none(app_label: str, name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None
