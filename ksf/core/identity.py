"""Norwegian identity numbers: national identity numbers (privacy guard) and organisation numbers.

Free text in the portal is public, so a need or a comment must never carry a person's national
identity number. `find_identity_numbers` finds the numbers that are structurally real (a valid
date and both mod-11 control digits), so the guard can refuse them; numbers that fail the
checksum pass, which keeps false alarms on phone, account and case numbers rare.

Accepted kinds of 11-digit number (DDMMYY III K1 K2):

* fødselsnummer – the birth date as written;
* D-nummer – for people without a fødselsnummer: the first digit is raised by 4 (day + 40);
* H-nummer – the health services' help number for patients whose identity is unknown or who have
  no number: the third digit is raised by 4 (month + 40). We accept it because this portal is
  used by health and care staff, where H-numbers are what identifies such patients.

Synthetic test numbers (Skatteetaten's Tenor test data: month + 80) identify nobody, so they are
rejected unless `synthetic=True` is given. FH-numbers (no date part) and the relaxed first control
digit planned for numbers issued from 2032 are not recognised.

`is_valid_orgnr` checks the 9-digit organisation number (Enhetsregisteret) with its one mod-11
control digit; it does not check that the number is registered.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "find_identity_numbers",
    "is_valid_fnr",
    "is_valid_orgnr",
    "mask_identity_number",
    "mod11_control_digit",
    "normalise_orgnr",
]

FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)

# Six date digits, an optional single separator, five person digits, not part of a longer number.
# The separator may be a space, a no-break space, a dot or a (hyphen or en) dash.
_CANDIDATE_RE = re.compile(r"(?<!\d)(?<!\d[.\-])(\d{6})[ \u00a0.\-\u2013]?(\d{5})(?!\d)(?![.\-\u2013]\d)")
_ORGNR_RE = re.compile(r"\d{3} ?\d{3} ?\d{3}")


def mod11_control_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """Return the mod-11 control digit for `digits`, or None if no digit is possible (rest 1)."""
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    control = 11 - total % 11
    if control == 11:
        return 0
    if control == 10:
        return None
    return control


def _has_valid_control_digits(number: str) -> bool:
    k1 = mod11_control_digit(number[:9], FNR_WEIGHTS_1)
    if k1 is None or k1 != int(number[9]):
        return False
    k2 = mod11_control_digit(number[:10], FNR_WEIGHTS_2)
    return k2 is not None and k2 == int(number[10])


def _possible_centuries(two_digit_year: int, individual: int) -> tuple[int, ...]:
    """Centuries the individual number (digits 7–9) allows for a two-digit year.

    The ranges are Skatteetaten's. Combinations outside them are not issued; we then allow any
    of the three centuries rather than miss a number that was issued under an older practice.
    """
    if individual <= 499:
        return (1900,)
    if individual <= 749 and two_digit_year >= 54:
        return (1800,)
    if two_digit_year <= 39:
        return (2000,)
    if individual >= 900:
        return (1900,)
    return (1800, 1900, 2000)


def _is_real_date(day: int, month: int, two_digit_year: int, individual: int) -> bool:
    for century in _possible_centuries(two_digit_year, individual):
        try:
            date(century + two_digit_year, month, day)
        except ValueError:
            continue
        return True
    return False


def is_valid_fnr(value: str, *, synthetic: bool = False) -> bool:
    """True if `value` is a valid fødselsnummer, D-nummer or H-nummer (11 digits, nothing else).

    Checks both control digits and that digits 1–6 are a real date once the D-nummer (+40 on the
    day) or H-nummer (+40 on the month) offset is removed. With `synthetic=True`, Tenor test
    numbers (+80 on the month) are accepted too.
    """
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    if not _has_valid_control_digits(value):
        return False
    day, month = int(value[0:2]), int(value[2:4])
    two_digit_year, individual = int(value[4:6]), int(value[6:9])
    if day > 40:
        day -= 40
    if month > 80:
        if not synthetic:
            return False
        month -= 80
    elif month > 40:
        month -= 40
    return _is_real_date(day, month, two_digit_year, individual)


def find_identity_numbers(text: str, *, synthetic: bool = False) -> list[str]:
    """Return the valid identity numbers in `text`, as 11 digits, unique, in order of appearance.

    Finds numbers written as 11 digits or as 6 + 5 digits separated by a space, a dot or a dash
    ("010190 12345", "010190-12345"). Digit runs that are part of a longer number are ignored.
    """
    found: list[str] = []
    for match in _CANDIDATE_RE.finditer(text):
        number = match.group(1) + match.group(2)
        if number not in found and is_valid_fnr(number, synthetic=synthetic):
            found.append(number)
    return found


def mask_identity_number(number: str) -> str:
    """Hide the person digits, e.g. for a message or a log line: "010190*****"."""
    digits = re.sub(r"\D", "", number)
    return digits[:6] + "*" * (len(digits) - 6)


def normalise_orgnr(value: str) -> str | None:
    """Return the organisation number as 9 digits if valid ("974 760 673" allowed), else None."""
    candidate = value.strip()
    if not _ORGNR_RE.fullmatch(candidate):
        return None
    digits = candidate.replace(" ", "")
    control = mod11_control_digit(digits[:8], ORGNR_WEIGHTS)
    if control is None or control != int(digits[8]):
        return None
    return digits


def is_valid_orgnr(value: str) -> bool:
    """True if `value` is a 9-digit organisation number with a correct mod-11 control digit."""
    return normalise_orgnr(value) is not None
