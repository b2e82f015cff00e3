"""The OpenAPI schema: generated without a single warning in every language, served from memory
after the first request (per language), and the docs page points at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from ksf.api.views import clear_schema_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_schema_cache() -> Any:
    clear_schema_cache()
    yield
    clear_schema_cache()


@pytest.mark.parametrize("language", [None, "nn", "en"])
def test_the_schema_generates_and_validates_with_warnings_as_failures(tmp_path: Path, language: str | None) -> None:
    # Same as `manage.py spectacular --validate --fail-on-warn` (enum names, components, operation ids).
    GENERATOR_STATS.reset()
    options = {"lang": language} if language else {}
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"), **options)
    schema = yaml.safe_load((tmp_path / "schema.yml").read_text())
    enums = {name for name, component in schema["components"]["schemas"].items() if "enum" in component}
    # One name per choice set, distinct names for different sets behind the same field name.
    assert {"NeedStatusEnum", "NeedKindEnum", "ProjectStatusEnum", "ProjectKindEnum", "LupPhaseEnum",
            "ParticipationPhaseEnum", "EvidenceSourceEnum", "ServiceAreaEnum"} <= enums
    assert not [name for name in enums if any(ch.isdigit() for ch in name)]  # no "Status4b2Enum"


def test_the_schema_is_generated_once_and_then_served_from_memory(client: Any, fresh_schema_cache: Any) -> None:
    with mock.patch.object(SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema) as generate:
        first = client.get("/api/schema/", {"format": "json"})
        second = client.get("/api/schema/", {"format": "json"})
        as_yaml = client.get("/api/schema/")
    assert first.status_code == second.status_code == as_yaml.status_code == 200
    assert generate.call_count == 1
    assert first.json() == second.json()
    assert "/api/v1/needs" in first.json()["paths"]
    assert yaml.safe_load(as_yaml.content) == first.json()


def test_a_nonsense_version_parameter_does_not_bypass_the_cache(client: Any, fresh_schema_cache: Any) -> None:
    with mock.patch.object(SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema) as generate:
        for n in range(3):
            assert client.get("/api/schema/", {"format": "json", "version": f"v{n}"}).status_code == 200
    assert generate.call_count == 1


def _status_description(response: Any) -> str:
    return str(response.json()["components"]["schemas"]["NeedStatusEnum"]["description"])


def test_each_language_gets_its_own_schema_also_after_another_was_cached(client: Any, fresh_schema_cache: Any) -> None:
    with mock.patch.object(SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema) as generate:
        bokmal = _status_description(client.get("/api/schema/", {"format": "json"}))
        english = _status_description(client.get("/api/schema/", {"format": "json", "lang": "en"}))
        nynorsk = _status_description(client.get("/api/schema/", {"format": "json", "lang": "nn"}))
        client.cookies["django_language"] = "en"  # the language switcher's choice
        english_again = _status_description(client.get("/api/schema/", {"format": "json"}))
        client.cookies.pop("django_language")
        bokmal_again = _status_description(client.get("/api/schema/", {"format": "json", "lang": "xx-unknown"}))
    assert "`withdrawn` - Trukket tilbake" in bokmal
    assert "`withdrawn` - Withdrawn" in english
    assert "`withdrawn` - Trekt tilbake" in nynorsk
    assert english_again == english and bokmal_again == bokmal
    assert generate.call_count == 3  # nb, en, nn; the rest from memory


def test_the_docs_page_loads_the_schema(client: Any) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"/api/schema/" in response.content
