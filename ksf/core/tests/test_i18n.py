"""Nynorsk and English: the pages render translated, and the catalogues in ksf/locale/ are complete.

The .po files are parsed with a small reader (no polib in the runtime dependencies): every entry
must have a non-empty translation in every form and no "fuzzy" flag, and the compiled .mo file
must exist next to it with the same content (production has no gettext tools).
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["nn", "en"]


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _entries(path: Path) -> list[dict[str, Any]]:
    """Each entry as {"flags": set, "msgid": str, "msgctxt": str|None, "msgstr": [str, ...]}."""
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    field = ""

    def flush() -> None:
        if "msgid" in current:
            entries.append(dict(current))
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            field = ""
        elif line.startswith("#~"):
            continue  # obsolete entries are not used
        elif line.startswith("#,"):
            if "msgid" in current:
                flush()
            current.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field.startswith("msgstr"):
                current["msgstr"][-1] += _unquote(line)
            else:
                current[field] += _unquote(line)
        else:
            keyword = line.split(" ", 1)[0]
            if keyword == "msgctxt" or (keyword == "msgid" and "msgid" in current):
                flush()
            if keyword.startswith("msgstr"):
                current.setdefault("msgstr", []).append(_unquote(line))
            else:
                current[keyword] = _unquote(line)
            field = keyword
    flush()
    for entry in entries:
        entry.setdefault("flags", set())
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    entries = _entries(po)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(messages) > 500
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not e.get("msgstr") or any(s == "" for s in e["msgstr"])]
    assert fuzzy == [], f"fuzzy entries in {po}: {fuzzy[:5]}"
    assert empty == [], f"untranslated entries in {po}: {empty[:5]}"
    plurals = [e for e in messages if "msgid_plural" in e]
    assert all(len(e["msgstr"]) == 2 for e in plurals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_is_compiled_with_the_same_translations(language: str) -> None:
    """The committed .mo matches its .po (compared by content: file times are unreliable in git)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"run: python manage.py compilemessages ({mo} is missing)"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in _entries(po)[1:]:
        key = (entry["msgctxt"] + "\x04" if "msgctxt" in entry else "") + entry["msgid"]
        if "msgid_plural" in entry:
            compiled = [catalog.get((key, i)) for i in range(len(entry["msgstr"]))]
        else:
            compiled = [catalog.get(key)]
        if compiled != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], f"{mo} is out of date ({stale[:3]}); run: python manage.py compilemessages"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "Kunnskapsbehov"),
        ("nn", "Kunnskapsbehov"),
        ("en", "Knowledge needs"),
    ],
)
def test_the_navigation_label_for_needs_is_translated(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Kunnskapsbehov") == expected


def _get(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.mark.django_db
def test_the_front_page_renders_in_nynorsk(world: Any, client: Client) -> None:
    html = _get(client, reverse("core:home"), "nn")
    assert '<html lang="nn"' in html
    assert "Kunnskap for helse- og omsorgstenestene i kommunane" in html
    assert "Byt språk" in html
    assert "Hopp til hovudinnhaldet" in html
    assert "Kunnskap for helse- og omsorgstjenestene i kommunene" not in html


@pytest.mark.django_db
def test_the_front_page_renders_in_english(world: Any, client: Client) -> None:
    html = _get(client, reverse("core:home"), "en")
    assert '<html lang="en"' in html
    assert "Knowledge for municipal health and care services" in html
    assert ">Knowledge needs<" in html
    assert "Skip to main content" in html
    assert "Hopp til hovedinnhold" not in html


@pytest.mark.django_db
def test_the_needs_list_renders_in_nynorsk(world: Any, client: Client) -> None:
    html = _get(client, reverse("needs:list"), "nn")
    assert "Kunnskapsbehov frå kommunane" in html
    assert "Søk i behova" in html
    assert "Alle regionar" in html
    assert "Kunnskapsbehov fra kommunene" not in html


@pytest.mark.django_db
def test_the_needs_list_renders_in_english(world: Any, client: Client) -> None:
    html = _get(client, reverse("needs:list"), "en")
    assert "Knowledge needs from the municipalities" in html
    assert "Search the needs" in html
    assert "All regions" in html
    assert "Kunnskapsbehov fra kommunene" not in html


@pytest.mark.django_db
def test_without_a_language_cookie_the_portal_is_bokmal(world: Any, client: Client) -> None:
    response = client.get(reverse("needs:list"))
    assert response["Content-Language"] == "nb"
    assert "Kunnskapsbehov fra kommunene" in response.content.decode()


@pytest.mark.django_db
def test_a_user_from_a_nynorsk_municipality_gets_nynorsk_by_default(reference_data: Any, client: Client) -> None:
    from ksf.accounts.models import Membership, Role, User
    from ksf.organisations.models import Malform, Organisation, OrgKind

    municipality = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, malform=Malform.NYNORSK).first()
    assert municipality is not None
    user = User.objects.create_user(username="i18n.nynorsk", password="x-very-long-password")
    Membership.objects.create(user=user, organisation=municipality, role=Role.REPORTER)
    client.force_login(user)
    html = client.get(reverse("needs:list")).content.decode()
    assert "Kunnskapsbehov frå kommunane" in html



@pytest.mark.django_db
def test_cached_statistics_follow_the_language_of_each_request(world: Any, client: Client) -> None:
    # The figures are cached; their labels must not stay in the language of the first visitor.
    english = _get(client, reverse("monitor:stats"), "en")
    nynorsk = _get(client, reverse("monitor:stats"), "nn")
    assert "Answered with existing knowledge" in english
    assert "Svara med eksisterande kunnskap" in nynorsk
    assert "Answered with existing knowledge" not in nynorsk


@pytest.mark.django_db
def test_work_queue_titles_follow_the_language_of_each_request(world: Any, client: Client) -> None:
    client.force_login(world.users["koordinator_bergen"])
    assert "Arbeidskøen til klynga" in _get(client, reverse("needs:queue_cluster"), "nn")
    assert "Cluster work queue" in _get(client, reverse("needs:queue_cluster"), "en")
