"""Load and update the reference organisations (health regions, counties, municipalities).

Idempotent: running it twice leaves the same rows; a renamed municipality is updated in
place (matched on its number), nothing is duplicated. The whole input is validated before
anything is written, and the write is one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from .models import County, HealthRegion, Malform, Organisation, OrgKind

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_FILE = DATA_DIR / "municipalities-2025.json"
COUNTIES_FILE = DATA_DIR / "counties-2025.json"

HEALTH_REGIONS = {
    "nord": "Helse Nord",
    "midt": "Helse Midt-Norge",
    "vest": "Helse Vest",
    "sorost": "Helse Sør-Øst",
}
COUNTY_TO_REGION = {"18": "nord", "55": "nord", "56": "nord", "15": "midt", "50": "midt", "11": "vest", "46": "vest"}
MALFORM = {"Bokmål": Malform.BOKMAL, "Nynorsk": Malform.NYNORSK, "Nøytral": Malform.NEUTRAL}


class ReferenceDataError(Exception):
    """A reference file is missing, malformed or inconsistent. The message names file and row."""


@dataclass(frozen=True)
class LoadReport:
    regions: int
    counties: int
    municipalities_created: int
    municipalities_updated: int
    municipalities_unchanged: int


def region_code_for_county(county_number: str) -> str:
    return COUNTY_TO_REGION.get(county_number, "sorost")


def _read_json_list(path: Path) -> list[Any]:
    if not path.exists():
        raise ReferenceDataError(f"Fila {path.name} finnes ikke ({path}).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"Fila {path.name} er ikke gyldig UTF-8: {exc}.") from exc
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(
            f"Fila {path.name} er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno}): {exc.msg}."
        ) from exc
    if not isinstance(data, list):
        raise ReferenceDataError(f"Fila {path.name} skal inneholde en liste.")
    return data


def _validate_counties(path: Path) -> dict[str, str]:
    counties: dict[str, str] = {}
    for row_no, row in enumerate(_read_json_list(path), start=1):
        if not isinstance(row, dict):
            raise ReferenceDataError(f"{path.name}, rad {row_no}: forventet et objekt.")
        number = str(row.get("id", "")).strip()
        name = str(row.get("name", "")).strip()
        if len(number) != 2 or not number.isdigit():
            raise ReferenceDataError(f"{path.name}, rad {row_no}: ugyldig fylkesnummer «{number}».")
        if not name:
            raise ReferenceDataError(f"{path.name}, rad {row_no}: fylket mangler navn.")
        if number in counties:
            raise ReferenceDataError(f"{path.name}, rad {row_no}: fylkesnummer {number} finnes to ganger.")
        counties[number] = name
    if not counties:
        raise ReferenceDataError(f"Fila {path.name} inneholder ingen fylker.")
    return counties


def _validate_municipalities(path: Path, counties: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row_no, row in enumerate(_read_json_list(path), start=1):
        if not isinstance(row, dict):
            raise ReferenceDataError(f"{path.name}, rad {row_no}: forventet et objekt.")
        number = str(row.get("id", "")).strip()
        where = f"{path.name}, rad {row_no} (kommune {number or '?'})"
        if len(number) != 4 or not number.isdigit():
            raise ReferenceDataError(f"{where}: ugyldig kommunenummer «{number}».")
        if number in seen:
            raise ReferenceDataError(f"{where}: kommunenummer {number} finnes to ganger.")
        seen.add(number)
        county = number[:2]
        if county not in counties:
            raise ReferenceDataError(f"{where}: ukjent fylke {county}.")
        name = str(row.get("name_no") or row.get("name") or "").strip()
        if not name:
            raise ReferenceDataError(f"{where}: kommunen mangler navn.")
        population = row.get("population")
        if not isinstance(population, int) or population < 0:
            raise ReferenceDataError(f"{where}: ugyldig innbyggertall «{population}».")
        language = row.get("language", "")
        if language not in MALFORM:
            raise ReferenceDataError(f"{where}: ukjent målform «{language}».")
        official = str(row.get("name") or "").strip()
        rows.append(
            {
                "number": number,
                "county": county,
                "name": name,
                "name_sami": official if official and official != name else "",
                "population": population,
                "malform": MALFORM[language],
                "adm_center": str(row.get("adm_center") or "").strip(),
                "website": str(row.get("url") or "").strip(),
            }
        )
    if not rows:
        raise ReferenceDataError(f"Fila {path.name} inneholder ingen kommuner.")
    return rows


def load_reference_data(
    *, municipalities_file: Path = MUNICIPALITIES_FILE, counties_file: Path = COUNTIES_FILE
) -> LoadReport:
    """Validate both files completely, then create or update all rows in one transaction."""
    counties = _validate_counties(counties_file)
    municipalities = _validate_municipalities(municipalities_file, counties)

    created = updated = unchanged = 0
    with transaction.atomic():
        regions = {}
        for code, name in HEALTH_REGIONS.items():
            region, _ = HealthRegion.objects.update_or_create(code=code, defaults={"name": name})
            regions[code] = region
        county_objs = {}
        for number, name in counties.items():
            county, _ = County.objects.update_or_create(
                number=number, defaults={"name": name, "region": regions[region_code_for_county(number)]}
            )
            county_objs[number] = county
        existing = {
            o.municipality_number: o for o in Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)
        }
        for row in municipalities:
            county = county_objs[row["county"]]
            values = {
                "name": row["name"],
                "name_sami": row["name_sami"],
                "slug": f"{slugify(row['name'])}-{row['number']}",
                "county_id": county.pk,
                "region_id": county.region_id,
                "population": row["population"],
                "malform": row["malform"],
                "adm_center": row["adm_center"],
                "website": row["website"],
            }
            org = existing.get(row["number"])
            if org is None:
                Organisation.objects.create(
                    kind=OrgKind.MUNICIPALITY, municipality_number=row["number"], **values
                )
                created += 1
            elif any(getattr(org, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(org, k, v)
                org.save()
                updated += 1
            else:
                unchanged += 1
    return LoadReport(len(regions), len(county_objs), created, updated, unchanged)
