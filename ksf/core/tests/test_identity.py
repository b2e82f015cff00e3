"""Tests for Norwegian identity and organisation numbers (ksf.core.identity)."""

from __future__ import annotations

import pytest

from ksf.core.identity import (
    find_identity_numbers,
    is_valid_fnr,
    is_valid_orgnr,
    mask_identity_number,
    normalise_orgnr,
)

# The test computes its own control digits with the published weights, independently of the
# module under test, so a wrong weight in the module cannot hide in the fixtures.
K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits: str, weights: tuple[int, ...]) -> int | None:
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if rest == 1 else (11 - rest) % 11


def make_number(ddmmyy: str, individual: int) -> str:
    """First structurally valid number with this date part, starting at `individual`."""
    for ind in range(individual, 1000):
        base = f"{ddmmyy}{ind:03d}"
        k1 = _control(base, K1)
        if k1 is None:
            continue
        k2 = _control(base + str(k1), K2)
        if k2 is None:
            continue
        return f"{base}{k1}{k2}"
    raise AssertionError(f"no valid number for {ddmmyy}")


def make_orgnr(start: int) -> str:
    """First valid organisation number whose first eight digits are `start` or above."""
    for prefix in range(start, start + 100):
        control = _control(str(prefix), (3, 2, 7, 6, 5, 4, 3, 2))
        if control is not None:
            return f"{prefix}{control}"
    raise AssertionError(f"no valid organisation number from {start}")


def with_wrong_digit(number: str, position: int) -> str:
    wrong = (int(number[position]) + 1) % 10
    return number[:position] + str(wrong) + number[position + 1 :]


FNR = make_number("010190", 123)
D_NUMMER = make_number("410190", 123)
H_NUMMER = make_number("014190", 123)
SYNTHETIC = make_number("018190", 123)


def test_generated_fodselsnummer_is_valid() -> None:
    assert is_valid_fnr(FNR)


def test_d_nummer_with_day_plus_40_is_valid() -> None:
    assert is_valid_fnr(D_NUMMER)


def test_h_nummer_with_month_plus_40_is_valid() -> None:
    assert is_valid_fnr(H_NUMMER)


def test_synthetic_test_number_is_valid_only_when_asked_for() -> None:
    assert not is_valid_fnr(SYNTHETIC)
    assert is_valid_fnr(SYNTHETIC, synthetic=True)


@pytest.mark.parametrize("position", [9, 10])
def test_number_with_a_wrong_control_digit_is_invalid(position: int) -> None:
    assert not is_valid_fnr(with_wrong_digit(FNR, position))


def test_number_with_a_wrong_person_digit_is_invalid() -> None:
    assert not is_valid_fnr(with_wrong_digit(FNR, 7))


@pytest.mark.parametrize("ddmmyy", ["310290", "320190", "001390", "000190", "711390"])
def test_number_with_valid_control_digits_but_impossible_date_is_invalid(ddmmyy: str) -> None:
    assert not is_valid_fnr(make_number(ddmmyy, 100))


def test_29_february_is_valid_in_a_leap_year_given_by_the_individual_number() -> None:
    # Individual numbers 500–999 with year 00 mean 2000, a leap year.
    assert is_valid_fnr(make_number("290200", 500))


def test_29_february_1900_is_invalid_because_1900_was_no_leap_year() -> None:
    # Individual numbers 000–499 mean the 1900s.
    assert not is_valid_fnr(make_number("290200", 0))


@pytest.mark.parametrize(
    "value",
    ["", "0101901234", "010190123456", "0101901234a", " " + FNR, FNR.replace("0", "٠")],
)
def test_anything_but_exactly_eleven_ascii_digits_is_invalid(value: str) -> None:
    assert not is_valid_fnr(value)


def test_finds_a_number_written_as_eleven_digits_in_free_text() -> None:
    assert find_identity_numbers(f"Pasienten ({FNR}) falt i går.") == [FNR]


@pytest.mark.parametrize("separator", [" ", ".", "-", "\u00a0", "\u2013"])
def test_finds_a_number_written_with_a_separator_after_the_date(separator: str) -> None:
    text = f"fnr. {FNR[:6]}{separator}{FNR[6:]}, se journal"
    assert find_identity_numbers(text) == [FNR]


def test_finds_d_and_h_numbers_in_order_and_only_once() -> None:
    text = f"{D_NUMMER} og {H_NUMMER}, igjen {D_NUMMER}"
    assert find_identity_numbers(text) == [D_NUMMER, H_NUMMER]


def test_numbers_that_fail_the_checksum_pass_the_guard() -> None:
    text = f"Saksnr {with_wrong_digit(FNR, 10)} og {with_wrong_digit(FNR, 9)}"
    assert find_identity_numbers(text) == []


def test_eleven_valid_digits_inside_a_longer_number_are_not_reported() -> None:
    assert find_identity_numbers(f"konto 9{FNR} og ref {FNR}7") == []
    assert find_identity_numbers(f"1.{FNR} og {FNR}-2") == []


def test_text_without_numbers_gives_an_empty_list() -> None:
    assert find_identity_numbers("Fallforebygging i hjemmetjenesten, 2024–2025") == []


def test_mask_keeps_only_the_date_part() -> None:
    assert mask_identity_number(FNR) == FNR[:6] + "*****"


def test_organisation_number_of_bronnoysundregistrene_is_valid() -> None:
    assert is_valid_orgnr("974760673")


def test_generated_organisation_numbers_are_valid() -> None:
    for start in [92163451, 81234567, 99887766]:
        orgnr = make_orgnr(start)
        assert is_valid_orgnr(orgnr), orgnr


def test_organisation_number_with_wrong_control_digit_is_invalid() -> None:
    assert not is_valid_orgnr(with_wrong_digit("974760673", 8))


def test_organisation_number_whose_control_digit_would_be_ten_is_invalid() -> None:
    # A prefix whose weighted sum leaves rest 1 would need control digit 10, so no ninth digit
    # can make it valid.
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    prefix = next(p for n in range(10**7, 10**8) if _control(p := f"{n:08d}", weights) is None)
    assert all(not is_valid_orgnr(prefix + str(digit)) for digit in range(10))


def test_organisation_number_may_be_grouped_by_spaces() -> None:
    assert normalise_orgnr(" 974 760 673 ") == "974760673"


@pytest.mark.parametrize("value", ["", "97476067", "9747606730", "974-760-673", "NO974760673", "97476067a"])
def test_malformed_organisation_numbers_are_invalid(value: str) -> None:
    assert not is_valid_orgnr(value)
