"""WCAG 2.1 A/AA: axe-core in Debian's chromium over the main pages, in nb/nn/en, logged out and in.

Needs /usr/bin/chromium (skipped without it, except in CI where CI=true makes it a failure).
Writes the findings to var/a11y-report.json. Run alone: `make a11y`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KSF_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["nb", "nn", "en"]

pytestmark = [pytest.mark.browser]


def _require_browser() -> None:
    missing = [str(p) for p in (Path(CHROMIUM), AXE) if not p.exists()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Mangler for nettlesertestene: {missing}")
        pytest.skip(f"chromium/axe-core mangler: {missing}")


def _pages(logged_in: bool, need_id: str | None) -> list[str]:
    pages = ["/", "/behov/", "/kommuner/", "/kommuner/4627/", "/sok/?q=fall", "/prosjekter/", "/statistikk/",
             "/anskaffelser/", "/prioritering/"]
    if need_id:
        pages.insert(2, f"/behov/{need_id}/")
    pages.append("/behov/nytt/" if logged_in else "/konto/logg-inn/")
    if logged_in:
        pages.append("/konto/profil/")
    return pages


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {
            "rule": v["id"],
            "impact": v.get("impact"),
            "help": v["help"],
            "targets": [", ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def test_main_pages_have_no_wcag21_aa_violations(live_server, transactional_db, monkeypatch):
    _require_browser()
    from django.core.management import call_command

    from ksf.core.personas import DEMO_PASSWORD
    from ksf.needs.models import Need

    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    need = Need.objects.filter(published_at__isnull=False).order_by("pk").first()
    need_id = need.public_id if need else None
    # Playwright's sync API runs an event loop in this thread; the ORM work is done above.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    findings: list[dict[str, Any]] = []
    checked = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for logged_in in (False, True):
                # axe is injected as an inline script: let the test bypass CSP (the header itself is
                # tested in tests/test_security.py).
                context = browser.new_context(bypass_csp=True)
                if logged_in:
                    page = context.new_page()
                    page.goto(f"{live_server.url}/konto/logg-inn/")
                    page.fill("input[name=username]", "sykepleier.askoy")
                    page.fill("input[name=password]", DEMO_PASSWORD)
                    page.click("main button[type=submit]")
                    page.wait_for_load_state()
                    assert "/konto/logg-inn/" not in page.url, "log-in failed"
                    page.close()
                for language in LANGUAGES:
                    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                    page = context.new_page()
                    for path in _pages(logged_in, need_id):
                        response = page.goto(f"{live_server.url}{path}")
                        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
                        assert page.evaluate("document.documentElement.lang") == language, path
                        checked += 1
                        for violation in _axe(page):
                            findings.append({"path": path, "language": language, "logged_in": logged_in, **violation})
                    page.close()
                context.close()
        finally:
            browser.close()
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "a11y-report.json").write_text(json.dumps({"pages_checked": checked, "violations": findings}, indent=2, ensure_ascii=False))
    summary = "\n".join(
        f"{f['path']} [{f['language']}{', innlogget' if f['logged_in'] else ''}] {f['rule']} ({f['impact']}): {f['help']} — {f['targets']}"
        for f in findings
    )
    assert not findings, f"{len(findings)} WCAG-brudd på {checked} sider:\n{summary}"
