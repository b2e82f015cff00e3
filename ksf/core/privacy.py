"""The privacy guard: free text with a valid national identity number is refused, never stored.

Every service that stores free text calls `guard_free_text` before writing; forms and API
serializers call it in validation so the user sees the message on the right field.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def identity_number_message(field_label: str) -> str:
    return _(
        "Feltet «%(field)s» ser ut til å inneholde et fødselsnummer eller D-nummer. "
        "Ikke skriv personopplysninger om pasienter eller brukere. Ingenting er lagret."
    ) % {"field": field_label}


def contains_identity_number(text: str) -> bool:
    from ksf.core.identity import find_identity_numbers

    return bool(text) and bool(find_identity_numbers(text))


def guard_free_text(fields: Mapping[str, tuple[str, str | None]]) -> None:
    """fields: name -> (label, value). Raises ValidationError keyed by field name."""
    errors = {
        name: identity_number_message(str(label))
        for name, (label, value) in fields.items()
        if value and contains_identity_number(value)
    }
    if errors:
        raise ValidationError(errors)
