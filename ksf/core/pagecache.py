"""Cached HTML of public pages, keyed by a data version so that a change is not shown stale.

Measured need (bench/load, issue #9): under 50 concurrent readers on two cores, rendering the
public need list and need pages for every anonymous visit took most of the CPU. They look the
same for every anonymous visitor, so their HTML is rendered once per (data version, language,
query) and reused. The data version (`ksf.needs.selectors.data_version`, `need_version` for one
need) changes with every write to the rows the page shows, so a new need, a status change or an
endorsement is visible on the next request; the time limit only bounds what the version cannot
see (a renamed municipality).

With 10 people registering and endorsing, the version changed about twice a second, faster than
a copy could be reused. `PAGECACHE_GRACE_SECONDS` (production setup: 5) lets a copy made at an
older version serve anonymous visitors for that many seconds: the same "within a few seconds"
that several web processes already allow each other for search. Whoever made the change is
logged in and always gets a freshly rendered page.

`request_memo` keeps a value for the rest of one GET/HEAD request, so a page that asks for the
data version several times (a municipality page with sections from several apps) asks the
database once. Requests that may write (POST ...) never reuse a value.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.utils.translation import get_language

T = TypeVar("T")

PAGE_CACHE_SECONDS = 300

_local = threading.local()


def _request_started(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    method = (environ or {}).get("REQUEST_METHOD", "")
    _local.memo = {} if method in ("GET", "HEAD") else None


def _request_finished(sender: Any, **kwargs: Any) -> None:
    _local.memo = None


request_started.connect(_request_started, dispatch_uid="ksf_pagecache_request_started")
request_finished.connect(_request_finished, dispatch_uid="ksf_pagecache_request_finished")


def request_memo(name: str, compute: Callable[[], T]) -> T:
    """`compute()`, remembered until the end of the current read-only request."""
    memo: dict[str, Any] | None = getattr(_local, "memo", None)
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


_inflight: dict[str, threading.Lock] = {}
_inflight_lock = threading.Lock()


def _fresh(entry: Any, version: str, now: float) -> bool:
    if entry is None:
        return False
    stored_version, stored_at, _value = entry
    return bool(stored_version == version or now - stored_at < settings.PAGECACHE_GRACE_SECONDS)


def cached_value(parts: list[Any], compute: Callable[[], T], *, version: str, timeout: int = PAGE_CACHE_SECONDS) -> T:
    """What `compute()` gives for `parts` (plus the active language) at data `version`.

    A cached copy made at another version is reused only while it is younger than
    `PAGECACHE_GRACE_SECONDS` (0 by default: never); so a change shows on the next request, or
    at most that many seconds later where the setting allows it (production: anonymous pages).
    Threads of one process that miss the same key at once compute it once: the others wait for
    it (50 visitors arriving together would otherwise render the same page 50 times).
    """
    raw = repr([get_language(), *parts])
    key = "pagecache:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    pages = caches["pages"]
    entry = pages.get(key)
    if _fresh(entry, version, time.time()):
        return entry[2]  # type: ignore[no-any-return]
    with _inflight_lock:
        lock = _inflight.setdefault(key, threading.Lock())
    with lock:
        entry = pages.get(key)
        if _fresh(entry, version, time.time()):
            return entry[2]  # type: ignore[no-any-return]
        value = compute()
        pages.set(key, (version, time.time(), value), timeout)
    with _inflight_lock:
        if _inflight.get(key) is lock and not lock.locked():
            del _inflight[key]
    return value


def cached_html(parts: list[Any], render: Callable[[], str], *, version: str, timeout: int = PAGE_CACHE_SECONDS) -> str:
    """The HTML `render()` gives, cached as `cached_value` does."""
    return str(cached_value(parts, render, version=version, timeout=timeout))
