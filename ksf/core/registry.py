"""Where apps declare what they contribute to shared pages (in the spirit of Decidim's components).

An app calls `register_front_page_section` / `register_readiness_check` from its
AppConfig.ready(), so core never imports the domain apps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

_front_page: list[tuple[int, Callable[[HttpRequest], dict[str, Any] | None]]] = []
_readiness: dict[str, Callable[[], tuple[bool, str]]] = {}
_nav: list[tuple[int, str, str]] = []


def register_front_page_section(order: int, build: Callable[[HttpRequest], dict[str, Any] | None]) -> None:
    """`build(request)` returns {"template": ..., **context} or None to skip."""
    _front_page.append((order, build))


def front_page_sections(request: HttpRequest) -> list[dict[str, Any]]:
    sections = []
    for _, build in sorted(_front_page, key=lambda item: item[0]):
        section = build(request)
        if section:
            sections.append(section)
    return sections


def register_readiness_check(name: str, check: Callable[[], tuple[bool, str]]) -> None:
    _readiness[name] = check


def readiness_checks() -> dict[str, Callable[[], tuple[bool, str]]]:
    return dict(_readiness)


_page_sections: dict[str, list[tuple[int, Callable[[HttpRequest, Any], dict[str, Any] | None], Callable[[], str] | None]]] = {}


def register_page_section(
    page: str, order: int, build: Callable[[HttpRequest, Any], dict[str, Any] | None],
    version: Callable[[], str] | None = None,
) -> None:
    """Let an app add a section to another app's page, e.g. page="municipality".

    `build(request, obj)` returns {"template": ..., **context} or None to skip. `version()`, if
    given, changes whenever anything the section shows for an anonymous visitor changes; when
    every section of a page has one, the page may cache their HTML (`page_version`).
    """
    _page_sections.setdefault(page, []).append((order, build, version))


def page_sections(page: str, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
    sections = []
    for _, build, _version in sorted(_page_sections.get(page, []), key=lambda item: item[0]):
        section = build(request, obj)
        if section:
            sections.append(section)
    return sections


def page_version(page: str) -> str | None:
    """The data version of all sections of `page` together, or None if one of them has none."""
    versions = [version for _, _, version in _page_sections.get(page, [])]
    if any(version is None for version in versions):
        return None
    return "|".join(version() for version in versions if version is not None)
