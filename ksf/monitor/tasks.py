"""Background work for the monitor: (re)build the open-data bundle.

Nightly: `manage.py build_open_data` from cron or a systemd timer (see README.md in this app),
or `manage.py build_open_data --enqueue` to hand it to the worker (`manage.py db_worker`).
On demand: the button on /statistikk/ for administrators and coordinators enqueues this task.
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def build_open_data_bundle() -> str:
    """Build today's bundle; returns the file name."""
    return services.open_data_bundle_build().name
