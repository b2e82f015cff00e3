"""Fuzz the API from its own OpenAPI schema with schemathesis, against a real local server.

    python -m bench.api_fuzz                      # make api-fuzz: every check, public + token
    python -m bench.api_fuzz --ci                 # CI: few examples, time-limited, fails on 5xx

Builds a throw-away database (SQLite in a temp dir, or --database-url), loads the demo data,
makes an API token for the national coordinator, starts gunicorn on 127.0.0.1 (DEBUG=0), and
runs schemathesis twice: without credentials and with the token. Exit code 0 only if both
runs pass. Reports land in var/api-fuzz/.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="api-fuzz-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        API_RATE_ANON="1000000/min",
        API_RATE_USER="1000000/min",
        TASKS_BACKEND="immediate",
        LOG_LEVEL="ERROR",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return result.stdout


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ci", action="store_true", help="bounded run for CI: 5 examples per operation, 5xx only")
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--max-time", type=int, default=None, help="seconds per schemathesis run")
    parser.add_argument("--checks", default=None)
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    max_examples = args.max_examples or (5 if args.ci else 25)
    max_time = args.max_time or (150 if args.ci else 900)
    checks = args.checks or ("not_a_server_error" if args.ci else "not_a_server_error,response_schema_conformance,content_type_conformance")

    # A SIGTERM (e.g. from `timeout`) must still stop the server: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="ksf-fuzz-"))
    env = _env(args.database_url or f"sqlite:///{tmp / 'fuzz.sqlite3'}")
    env["MEDIA_ROOT"] = str(tmp / "media")
    out = ROOT / "var" / "api-fuzz"
    out.mkdir(parents=True, exist_ok=True)
    print("== preparing database and demo data")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "load_demo")
    token = _manage(
        env, "shell", "-c",
        "from rest_framework.authtoken.models import Token; from ksf.accounts.models import User; "
        "print(Token.objects.get_or_create(user=User.objects.get(username='nasjonal.ks'))[0].key)",
    ).strip().splitlines()[-1]
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{args.port}",
         "--workers", "2", "--access-logfile", str(out / "access.log"), "--error-logfile", str(out / "server.log"), "ksf.wsgi"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    failures = 0
    try:
        _wait(f"{base}/readyz")
        for label, headers in (("public", []), ("token", ["-H", f"Authorization: Token {token}"])):
            print(f"== schemathesis ({label}): {max_examples} examples/operation, max {max_time}s, checks {checks}")
            command = [
                str(VENV_BIN / "schemathesis"), "run", f"{base}/api/schema/", "--checks", checks,
                "--max-examples", str(max_examples), "--max-time", str(max_time), "--workers", "2",
                "--request-timeout", "30", "--no-color", "--generation-database", "none", "--seed", "2026",
                "--report", "junit", "--report-junit-path", str(out / f"junit-{label}.xml"), *headers,
            ]
            result = subprocess.run(command, cwd=ROOT, env={**env, "SCHEMATHESIS_TELEMETRY": "false"}, check=False)  # noqa: S603
            print(f"== schemathesis ({label}) exit {result.returncode}")
            if not args.ci:
                failures += result.returncode != 0
            elif result.returncode != 0:
                # In CI the verdict is the server's: a crash inside the fuzzing tool itself
                # (seen: schemathesis' own "Runtime Error") is reported but is not our 5xx.
                print(f"== schemathesis ({label}) reported problems; CI judges by the server's 5xx below")
        with (out / "server.log").open() as log:
            errors = [line for line in log if "Traceback" in line or '"levelname": "ERROR"' in line]
        print(f"== server log: {len(errors)} error lines (see {out / 'server.log'})")
        server_errors = []
        with (out / "access.log").open() as log:
            for line in log:
                # Regex, not json.loads: request lines with odd escapes are not always valid JSON.
                status = re.search(r'"status": (\d+)', line)
                path = re.search(r'"path": "([^"]*)"', line)
                if status and int(status.group(1)) >= 500 and (path is None or path.group(1) not in ("/readyz", "/healthz")):
                    server_errors.append(line.strip())
        print(f"== 5xx responses (outside /readyz while the index builds): {len(server_errors)}")
        for line in server_errors[:20]:
            print("   ", line)
        failures += bool(server_errors) + bool(errors)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    print("API-FUZZ", "PASSED" if not failures else f"FAILED ({failures} run(s))")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
