"""Printable PDFs (WeasyPrint): minutes of a round and a municipal decision memo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PRINT_CSS = Path(__file__).resolve().parent / "static" / "priorities" / "print.css"


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context, request=request)
    # The base URL only makes links absolute; nothing is fetched over the network.
    base_url = request.build_absolute_uri("/") if request is not None else None
    document = HTML(string=html, base_url=base_url, url_fetcher=_no_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])  # type: ignore[no-any-return]


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF-en henter ikke eksterne ressurser ({url}).")


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
