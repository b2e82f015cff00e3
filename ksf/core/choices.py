"""`get_FOO_display` that translates one label, not all of them.

Django's own `Model._get_FIELD_display` builds a dict of the field's choices on every call, and
hashing the choices hashes (so translates) every lazy label: a row of the need list asked for
its status and service area and translated ~30 labels to show two. The logged-in need list
(25 rows) made ~870 gettext calls for that. Models with choices inherit `ChoiceLabels`; the
label map is built once per field and the one label shown is translated in the active language.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS: dict[Field[Any, Any], dict[Any, Any]] = {}


class ChoiceLabels:
    def _get_FIELD_display(self, field: Field[Any, Any]) -> Any:  # noqa: N802 - Django's name
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = {make_hashable(value): label for value, label in field.flatchoices}
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
