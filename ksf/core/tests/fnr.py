"""Made-up fødselsnummer with valid control digits, for tests of the privacy guard.

Computed here with its own arithmetic (not ksf.core.identity), so the tests do not use the
code they check, and no real person's number is written into the repository.
"""

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits: str, weights: tuple[int, ...]) -> int | None:
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if rest == 1 else (11 - rest) % 11


def valid_fnr(date6: str = "150385", *, first_individual: int = 100) -> str:
    """The first number on `date6` (ddmmyy) from `first_individual` on whose check digits are valid."""
    for individual in range(first_individual, 1000):
        base = f"{date6}{individual:03d}"
        k1 = _control(base, W1)
        k2 = _control(f"{base}{k1}", W2) if k1 is not None else None
        if k1 is not None and k2 is not None:
            return f"{base}{k1}{k2}"
    raise AssertionError("no valid number")
