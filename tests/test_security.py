"""Security headers, CSP-safe templates, CSRF on every form, API throttling, tokens and ETags."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
MAIN_PAGES = ["/", "/behov/", "/kommuner/", "/sok/", "/prosjekter/", "/statistikk/", "/anskaffelser/",
              "/prioritering/", "/kunnskap/", "/om/", "/konto/logg-inn/", "/konto/glemt-passord/"]
TEMPLATE_FILES = sorted(
    p for p in (ROOT / "ksf").rglob("*.html") if "node_modules" not in p.parts and ".venv" not in p.parts
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_ATTR = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
POST_FORM = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def _rel(path):
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=_rel)
def test_templates_have_no_inline_script_style_or_event_handlers(template):
    text = template.read_text(encoding="utf-8")
    problems = []
    for pattern, what in [(INLINE_SCRIPT, "<script> uten src"), (STYLE_ATTR, "style="), (STYLE_TAG, "<style>"), (EVENT_ATTR, "on...= (hendelsesattributt)")]:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{_rel(template)}:{line}: {what} er ikke tillatt med CSP 'self' — flytt det til en statisk fil")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=_rel)
def test_every_post_form_in_templates_carries_a_csrf_token(template):
    text = template.read_text(encoding="utf-8")
    for match in POST_FORM.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        assert "csrf_token" in match.group(1), f"{_rel(template)}:{line}: POST-skjema uten {{% csrf_token %}}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_pages_send_a_strict_csp_and_security_headers(client, reference_data, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    csp = response["Content-Security-Policy"]
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert not INLINE_SCRIPT.search(body), f"{path}: inline <script>"
    assert not STYLE_ATTR.search(body), f"{path}: style="


@pytest.mark.django_db
def test_csrf_is_enforced_on_forms(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("accounts:login"), {"username": "admin", "password": "x"}).status_code == 403
    client.force_login(world.sykepleier_askoy)
    for name in ["accounts:profile", "accounts:privacy", "accounts:api_token", "accounts:logout"]:
        assert client.post(reverse(name), {}).status_code == 403, name
    assert client.post("/behov/nytt/", {"title": "x"}).status_code == 403


@pytest.mark.django_db
def test_session_cookie_is_httponly(client, world):
    from ksf.core.personas import DEMO_PASSWORD

    world.fou_askoy.set_password(DEMO_PASSWORD)
    world.fou_askoy.save()
    response = client.post(reverse("accounts:login"), {"username": "fou.askoy", "password": DEMO_PASSWORD})
    assert response.cookies["sessionid"]["httponly"]


@pytest.mark.django_db
def test_the_api_answers_429_with_a_norwegian_message_when_the_rate_is_exceeded(client, reference_data, settings, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF reads the rates once at import: patch the class attribute as well.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    statuses = [client.get("/api/v1/municipalities", REMOTE_ADDR="10.9.9.9").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/municipalities", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert "For mange forespørsler" in response.json()["detail"]
    assert "Retry-After" in response


def test_the_api_has_throttles_configured():
    from django.conf import settings

    config = settings.REST_FRAMEWORK
    assert "rest_framework.throttling.AnonRateThrottle" in config["DEFAULT_THROTTLE_CLASSES"]
    assert "rest_framework.throttling.UserRateThrottle" in config["DEFAULT_THROTTLE_CLASSES"]
    assert config["DEFAULT_THROTTLE_RATES"]["anon"] and config["DEFAULT_THROTTLE_RATES"]["user"]


@pytest.mark.django_db
def test_the_schema_documents_token_authentication(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemes = schema["components"]["securitySchemes"]
    token = next(s for s in schemes.values() if s.get("type") == "apiKey" and s.get("in") == "header")
    assert token["name"] == "Authorization"
    assert "Token" in token.get("description", "")


@pytest.mark.django_db
def test_api_gets_send_an_etag_and_answer_304_when_unchanged(client, reference_data):
    first = client.get("/api/v1/municipalities?county=46")
    assert first.status_code == 200 and first.has_header("ETag")
    again = client.get("/api/v1/municipalities?county=46", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert not client.get("/kommuner/").has_header("ETag")  # pages are not affected


@pytest.mark.django_db
def test_login_is_rate_limited_per_user_and_address(client, world):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "nasjonal.ks", "password": "feil"}, REMOTE_ADDR="10.1.1.1")
    assert client.post(reverse("accounts:login"), {"username": "nasjonal.ks", "password": "feil"}, REMOTE_ADDR="10.1.1.1").status_code == 429


@pytest.mark.django_db
def test_password_reset_is_rate_limited(client, world):
    statuses = [client.post(reverse("accounts:password_reset"), {"email": "x@example.no"}, REMOTE_ADDR="10.2.2.2").status_code for _ in range(6)]
    assert statuses[-1] == 429
