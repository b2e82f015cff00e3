"""gunicorn settings for KSF kunnskapsportal (read by `gunicorn -c deploy/gunicorn.conf.py ksf.wsgi`).

Every value can be overridden from the environment, so one file serves each web process:
  KSF_BIND (default 127.0.0.1:8001), WEB_CONCURRENCY (worker processes, default 2),
  GUNICORN_THREADS (threads per worker, default 4), GUNICORN_TIMEOUT (seconds, default 30).
Each worker process keeps its own in-memory search index and follows the database.
"""

import os

bind = os.environ.get("KSF_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so slow leaks never build up; jitter avoids restarting all at once.
# Not too often: a new worker builds its search index and starts with cold caches (at 2000, a
# worker restarted in the middle of every 2-minute load run).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# Logs to stdout/stderr (journald or the container runtime collects them). The app logs JSON
# when DEBUG=0; the access log is one JSON object per line too.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "age": "%({age}o)s", "agent": "%(a)s"}'
)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "ksf-web"
# gunicorn's runtime control socket: off (several instances on one machine would share a path;
# systemd and signals are used instead).
control_socket_disable = True


def post_worker_init(worker):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """Before its first request each worker loads what the first visitors would need and moves it
    out of the garbage collector's way (ksf.core.warmup: full collections stalled every thread of
    the process for ~150 ms)."""
    from ksf.core.warmup import warm_up

    warm_up()
