"""A web process readies itself before its first request (gunicorn's `post_worker_init`).

Measured need (issue #9, `python -m bench.gc_pause`): a full garbage collection in a web process
that had served each page once walked everything the process had loaded — Django, the views,
templates, the search index — and held the GIL for ~150 ms, so every thread of that process
stood still; under load it happened every few seconds. Everything loaded at start lives as long
as the process, so after warming up it is moved out of the collector's way (`gc.freeze()`):
the same full collection then takes under a millisecond.
"""

from __future__ import annotations

import gc
import logging
import time

from django.conf import settings
from django.db import connections
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from ksf.core import registry

logger = logging.getLogger(__name__)

# The pages most visitors open first; compiling them at start spares the first visitors.
TEMPLATES = ["base.html", "core/home.html", "needs/need_list.html", "needs/need_detail.html", "search/search.html"]


def freeze_long_lived() -> int:
    """Collect what is garbage now, then exempt every remaining object from future collections
    (they live as long as the process). Returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def warm_up() -> dict[str, object]:
    """Load what the first requests would (every view module, templates, translations, the search
    indexes when they build quickly), then freeze it. Never raises: a process that could not warm
    up still serves, only slower at first."""
    started = time.monotonic()
    ready: dict[str, bool] = {}
    try:
        get_resolver().url_patterns  # noqa: B018 - imports every view module
        for name in TEMPLATES:
            get_template(name)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Kunnskapsbehov")
        for name, check in registry.readiness_checks().items():
            ready[name] = check()[0]
    except Exception:  # noqa: BLE001 - e.g. the database is not up yet
        logger.exception("warm-up incomplete")
    finally:
        connections.close_all()
    frozen = freeze_long_lived()
    summary = {"seconds": round(time.monotonic() - started, 2), "frozen_objects": frozen, "ready": ready}
    logger.info("web process warmed up", extra=summary)
    return summary
