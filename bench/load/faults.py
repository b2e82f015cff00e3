"""`make faults`: three fault drills against the local production setup (loopback only).

1. Kill the task worker (SIGKILL) in the middle of a task: the task is put back in the queue
   when a worker starts (requeue_stale_tasks), runs again, and its effect exists exactly once.
2. Restart PostgreSQL under load: requests during the outage get the clear 503 page (never a
   500), the web processes recover by themselves, and every need a client was told was saved
   is in the database afterwards.
3. Fill the upload limits: an over-large import file and an over-large form are refused with a
   clear Norwegian message (400/413), nothing stored.

    python -m bench.load.faults [--only worker,postgres,upload]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter

import psutil
import requests

from bench.load.run import CREATE_USERS, HOSTS, ROOT, django_shell, prod_env, ready

RUN = ROOT / "var" / "prod"
OUT = ROOT / "var" / "load"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise SystemExit("no CSRF token in the page (is the server up, and the page the expected one?)")
    return match.group(1)
results: dict[str, dict] = {}


def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/konto/logg-inn/", timeout=10)
    token = csrf_token(page.text)
    response = session.post(f"{base}/konto/logg-inn/", data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}, timeout=10, allow_redirects=False)
    assert response.status_code == 302, f"log-in as {username} failed: {response.status_code}"
    return session


def _sql(env: dict[str, str], query: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    url = env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(query, params).fetchall()


def drill_worker(env: dict[str, str]) -> dict:
    key = f"fault-{uuid.uuid4().hex[:10]}"
    # Highest priority: the probe must not wait behind a backlog (e.g. embedding of the needs a load run registered).
    task_id = django_shell(env, f"from ksf.core.tasks import fault_probe; print(fault_probe.using(priority=100).enqueue({key!r}, 15).id)").strip().splitlines()[-1]

    def state() -> tuple[str, int]:
        rows = _sql(env, "SELECT status, worker_ids::text FROM django_tasks_database_dbtaskresult WHERE id = %s", (task_id,))
        return rows[0][0], len(json.loads(rows[0][1]))

    def effects() -> int:
        return _sql(env, "SELECT count(*) FROM core_auditevent WHERE action = 'task.fault_probe' AND object_id = %s", (key,))[0][0]

    deadline = time.monotonic() + 60
    while state()[0] != "RUNNING":
        if time.monotonic() > deadline:
            return {"ok": False, "detail": f"task never started (is the worker running?) status={state()}"}
        time.sleep(0.2)
    time.sleep(2)  # well inside the 15-second task
    pid = int((RUN / "worker.pid").read_text())
    worker = psutil.Process(pid)
    for proc in [*worker.children(recursive=True), worker]:
        proc.send_signal(signal.SIGKILL)
    time.sleep(1)
    after_kill, effects_after_kill = state()[0], effects()
    started = time.monotonic()
    subprocess.run([str(ROOT / "deploy" / "run-local-prod.sh"), "worker-restart"], env={**os.environ, "KSF_TASK_STALE_AFTER": "0"}, check=True, capture_output=True)
    while time.monotonic() - started < 120 and state()[0] not in {"SUCCESSFUL", "FAILED"}:
        time.sleep(0.5)
    status, workers = state()
    count = effects()
    ok = after_kill == "RUNNING" and effects_after_kill == 0 and status == "SUCCESSFUL" and count == 1 and workers == 2
    return {"ok": ok, "status_after_kill": after_kill, "effects_after_kill": effects_after_kill, "final_status": status,
            "workers_that_claimed_it": workers, "effects": count, "restart_to_done_seconds": round(time.monotonic() - started, 1)}


def drill_postgres(env: dict[str, str]) -> dict:
    users = json.loads(django_shell(env, CREATE_USERS).strip().splitlines()[-1])["users"]
    stop = threading.Event()
    statuses: Counter[str] = Counter()
    saved: list[str] = []
    bad_503 = []
    lock = threading.Lock()
    timeline: list[tuple[float, str]] = []
    t0 = time.monotonic()

    def reader(base: str) -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.get(f"{base}/behov/", timeout=10)
                key = str(response.status_code)
                if response.status_code == 503 and "midlertidig utilgjengelig" not in response.text:
                    bad_503.append(response.text[:200])
            except requests.RequestException as exc:
                key = f"conn:{type(exc).__name__}"
            with lock:
                statuses[key] += 1
                timeline.append((time.monotonic() - t0, key))
            time.sleep(0.05)

    def writer(base: str, username: str, password: str) -> None:
        session = login(base, username, password)
        while not stop.is_set():
            try:
                form = session.get(f"{base}/behov/nytt/", timeout=10)
                match = CSRF.search(form.text)
                if not match:
                    with lock:
                        statuses[f"form:{form.status_code}"] += 1
                    time.sleep(0.3)
                    continue
                title = f"Feiltest {uuid.uuid4().hex[:10]}"
                response = session.post(f"{base}/behov/nytt/", data={
                    "csrfmiddlewaretoken": match.group(1), "kind": "knowledge", "title": title,
                    "question": "Hva vet vi om dette under en databaseomstart?", "service_area": "sykehjem",
                    "urgency": "medium", "action": "submit"}, timeout=10, allow_redirects=False)
                key = f"write:{response.status_code}"
                if response.status_code == 302 and "/behov/" in response.headers.get("Location", ""):
                    with lock:
                        saved.append(title)
            except requests.RequestException as exc:
                key = f"write-conn:{type(exc).__name__}"
            with lock:
                statuses[key] += 1
            time.sleep(0.2)

    threads = [threading.Thread(target=reader, args=(HOSTS[i % 2],)) for i in range(4)]
    threads += [threading.Thread(target=writer, args=(HOSTS[i % 2], *users[i])) for i in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(8)
    version = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    restart_at = time.monotonic() - t0
    subprocess.run(["pg_ctlcluster", version, "main", "stop", "-m", "fast"], check=True)
    time.sleep(3)
    subprocess.run(["pg_ctlcluster", version, "main", "start"], check=True)
    back_at = time.monotonic() - t0
    time.sleep(12)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    recovered = next((t for t, key in timeline if t > back_at and key == "200"), None)
    last_failure = max((t for t, key in timeline if key != "200"), default=None)
    found = int(django_shell(env, f"from ksf.needs.models import Need; print(Need.objects.filter(title__in={saved!r}).count())").strip().splitlines()[-1])
    server_errors = sum(v for k, v in statuses.items() if k.endswith(":500") or k == "500")
    # The task worker loses its connection too; it must be working again (restarted by its supervisor).
    try:
        worker_back = any("db_worker" in " ".join(p.cmdline()) for p in psutil.Process(int((RUN / "worker.pid").read_text())).children(recursive=True))
    except (OSError, ValueError, psutil.Error):
        worker_back = False
    ok = server_errors == 0 and not bad_503 and found == len(saved) and recovered is not None and (last_failure or 0) < back_at + 10 and worker_back
    return {"ok": ok, "statuses": dict(statuses), "db_down_from_s": round(restart_at, 1), "db_up_at_s": round(back_at, 1),
            "first_200_after_restart_s": round(recovered - back_at, 2) if recovered else None,
            "last_non_200_at_s": round(last_failure, 1) if last_failure else None,
            "needs_confirmed_saved": len(saved), "of_them_in_database": found, "503_without_clear_page": len(bad_503),
            "task_worker_running_after": worker_back}


def drill_upload(env: dict[str, str]) -> dict:
    django_shell(env, "from ksf.accounts.models import User; u = User.objects.get(username='admin'); u.set_password('demo-passord-2026'); u.save()")
    admin = login(HOSTS[0], "admin", "demo-passord-2026")
    page = admin.get(f"{HOSTS[0]}/kunnskap/import/", timeout=10)
    token = csrf_token(page.text)
    size = 51 * 1024 * 1024
    big = admin.post(f"{HOSTS[0]}/kunnskap/import/", data={"csrfmiddlewaretoken": token},
                     files={"file": ("stor.ris", b"TY  - JOUR\n" + b"x" * size, "application/x-research-info-systems")}, timeout=120)
    big_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", big.text))
    big_message = next((m for m in re.findall(r"[^.]*(?:MB|for stor)[^.]*\.", big_text)), big_text[:200])
    users = json.loads(django_shell(env, CREATE_USERS).strip().splitlines()[-1])["users"]
    reporter = login(HOSTS[1], *users[0])
    form = reporter.get(f"{HOSTS[1]}/behov/nytt/", timeout=10)
    token = csrf_token(form.text)
    before = django_shell(env, "from ksf.needs.models import Need; print(Need.objects.count())").strip().splitlines()[-1]
    huge = reporter.post(f"{HOSTS[1]}/behov/nytt/", data={"csrfmiddlewaretoken": token, "title": "Stor", "question": "x" * (6 * 1024 * 1024), "service_area": "sykehjem", "kind": "knowledge", "urgency": "medium"}, timeout=60)
    after = django_shell(env, "from ksf.needs.models import Need; print(Need.objects.count())").strip().splitlines()[-1]
    huge_text = re.sub(r"<[^>]+>", " ", huge.text)
    ok = big.status_code in (400, 413) and ("MB" in big_text or "stor" in big_text) and huge.status_code in (400, 413) and "for stort" in huge_text and before == after
    return {"ok": ok, "import_51MB": {"status": big.status_code, "message": big_message.strip()[:240]},
            "form_6MB": {"status": huge.status_code, "message": " ".join(huge_text.split())[:200]}, "needs_stored": int(after) - int(before)}


def worker_alive() -> bool:
    try:
        return psutil.pid_exists(int((RUN / "worker.pid").read_text()))
    except (OSError, ValueError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="worker,postgres,upload")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not all(ready(h) for h in HOSTS) or not worker_alive():
        subprocess.run([str(ROOT / "deploy" / "run-local-prod.sh"), "start"], check=True)
    env = prod_env()
    drills = {"worker": drill_worker, "postgres": drill_postgres, "upload": drill_upload}
    for name in args.only.split(","):
        print(f"== fault drill: {name}", flush=True)
        results[name] = drills[name](env)
        print(json.dumps(results[name], indent=1, ensure_ascii=False), flush=True)
    (OUT / "faults.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    failed = [n for n, r in results.items() if not r.get("ok")]
    print("FAULTS", "PASSED" if not failed else f"FAILED: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
