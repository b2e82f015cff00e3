"""Production settings: `check --deploy` is clean, security settings are strict, logs are JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-test-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "kunnskapsportal.example.no",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "deploy-check.sqlite3"),
}


def _run(args, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(PROD_ENV, DJANGO_SETTINGS_MODULE="ksf.settings", **extra_env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy"])
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    # Every Django deployment check (security.W0xx, E0xx) must be clean. The API schema's
    # naming warnings (drf_spectacular.W001) belong to the apps' serializers, not to deployment.
    problems = [line for line in output.splitlines() if "(security." in line or "ERROR" in line or ".E0" in line]
    assert not problems, output


def test_production_refuses_to_start_without_a_secret_key():
    result = _run(["-c", "import django; django.setup()"], SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_strict():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'DEBUG', 'LOG_FORMAT', 'X_FRAME_OPTIONS']} | {'static': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and not values["DEBUG"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["LOG_FORMAT"] == "json"
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_logs_are_json_lines_when_debug_is_off():
    code = "import django, logging; django.setup(); logging.getLogger('ksf.test').warning('hei %s', 'verden')"
    result = _run(["-c", code])
    line = [x for x in result.stderr.splitlines() if "hei" in x][-1]
    record = json.loads(line)
    assert record["message"] == "hei verden" and record["levelname"] == "WARNING" and record["name"] == "ksf.test"


def test_gunicorn_config_loads_and_binds_to_the_configured_port():
    namespace: dict = {}
    os.environ["KSF_BIND"] = "127.0.0.1:8123"
    try:
        exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    finally:
        del os.environ["KSF_BIND"]
    assert namespace["bind"] == "127.0.0.1:8123" and namespace["workers"] >= 1
    json.loads(namespace["access_log_format"].replace("%(s)s", "200").replace("%(M)s", "1"))


@pytest.mark.django_db
def test_healthz_and_readyz_answer(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_reports_a_failing_registered_check(client, monkeypatch):
    from ksf.core import registry

    monkeypatch.setitem(registry._readiness, "test-index", lambda: (False, "indeksen bygges"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["test-index"] == "indeksen bygges"


def test_env_example_names_every_required_setting():
    text = (ROOT / "deploy" / ".env.example").read_text()
    for name in ["DEBUG=0", "SECRET_KEY=", "ALLOWED_HOSTS=", "DATABASE_URL=", "TASKS_BACKEND=database"]:
        assert name in text
