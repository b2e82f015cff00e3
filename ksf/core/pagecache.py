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

Whole answers (`AnonymousPageMiddleware`, views marked `@public_page`): within the same grace
period an anonymous visitor gets the answer another anonymous visitor got for the same address
and language, without the view running at all (measured: a cached need page still cost 16 ms of
CPU for looking up the need, its version and the cached body; the whole answer costs ~2 ms). The
only per-visitor part of such a page is the CSRF token (language switcher, htmx header): pages
for anonymous visitors are rendered with a placeholder, which every answer replaces with the
visitor's own token on its way out.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")

PAGE_CACHE_SECONDS = 300

_local = threading.local()


def _now() -> float:
    """Wall-clock seconds (tests replace this, not `time.time` for the whole process)."""
    return time.time()


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
    if _fresh(entry, version, _now()):
        return entry[2]  # type: ignore[no-any-return]
    with _inflight_lock:
        lock = _inflight.setdefault(key, threading.Lock())
    with lock:
        entry = pages.get(key)
        if _fresh(entry, version, _now()):
            return entry[2]  # type: ignore[no-any-return]
        value = compute()
        pages.set(key, (version, _now(), value), timeout)
    with _inflight_lock:
        if _inflight.get(key) is lock and not lock.locked():
            del _inflight[key]
    return value


def cached_html(parts: list[Any], render: Callable[[], str], *, version: str, timeout: int = PAGE_CACHE_SECONDS) -> str:
    """The HTML `render()` gives, cached as `cached_value` does."""
    return str(cached_value(parts, render, version=version, timeout=timeout))


def cached_render(
    parts: list[Any], template: str, context: Callable[[], dict[str, Any]], request: HttpRequest, *, version: str
) -> SafeString:
    """`template` rendered with `context()` (asked only when rendering), cached as `cached_value`
    does; ready to put into a page (it is our own rendered template)."""
    return mark_safe(cached_html(parts, lambda: render_to_string(template, context(), request), version=version))  # noqa: S308


# --- Whole answers for anonymous visitors -------------------------------------------------------

CSRF_PLACEHOLDER = "ksf-csrf-token-placeholder"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
# Headers that belong to one answer or are set again by the middleware around this one.
_NOT_STORED = {"content-length", "set-cookie", "content-language"}

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def public_page(view: V) -> V:
    """Marks a view whose answer to an anonymous visitor is the same for every anonymous visitor
    (no forms of their own, nothing from their session): `AnonymousPageMiddleware` may reuse it
    within `PAGECACHE_GRACE_SECONDS`."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response.ksf_public_page = True  # type: ignore[attr-defined]
        return response

    return wrapper  # type: ignore[return-value]


def shared_render(request: HttpRequest) -> bool:
    """Whether this request is answered like any other anonymous visitor's: a read, with no
    session, no pending messages and no API credentials. Its pages carry the CSRF placeholder."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    # A cookie deleted by the server may still come back empty from some clients.
    return not cookies.get(settings.SESSION_COOKIE_NAME) and not cookies.get("messages") and "HTTP_AUTHORIZATION" not in request.META


def csrf_placeholder(request: HttpRequest) -> dict[str, Any]:
    """Context processor: pages rendered for `shared_render` requests get the placeholder instead
    of a token (listed after Django's own csrf processor, so it wins)."""
    if getattr(request, "ksf_shared_render", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _with_own_token(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if isinstance(response, HttpResponse) and _PLACEHOLDER_BYTES in response.content:
        response.content = response.content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return response


def _answer_key(request: HttpRequest) -> str:
    htmx = sorted((name, value) for name, value in request.headers.items() if name.lower().startswith("hx-"))
    raw = repr([request.get_host(), request.get_full_path(), getattr(request, "LANGUAGE_CODE", ""), htmx])
    return "answer:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


class AnonymousPageMiddleware:
    """Innermost middleware: serves anonymous visitors a `@public_page` answer made for another
    anonymous visitor less than `PAGECACHE_GRACE_SECONDS` ago (0, the default, turns it off), and
    puts each visitor's own CSRF token into the pages rendered with the placeholder."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not shared_render(request):
            return _with_own_token(request, self.get_response(request))
        request.ksf_shared_render = True  # type: ignore[attr-defined]
        grace = settings.PAGECACHE_GRACE_SECONDS
        key = _answer_key(request) if grace > 0 and request.method == "GET" else ""
        pages = caches["pages"]
        if key:
            entry = pages.get(key)
            if entry is not None and _now() - entry[0] < grace:
                stored_at, status, headers, content = entry
                shared = HttpResponse(content, status=status)
                for name, value in headers:
                    shared[name] = value
                # Standard HTTP: how old the shared answer is (the access log records it).
                shared["Age"] = str(int(_now() - stored_at))
                return _with_own_token(request, shared)
        response = self.get_response(request)
        if (
            key
            and getattr(response, "ksf_public_page", False)
            and response.status_code == 200
            and isinstance(response, HttpResponse)
            and not response.cookies
            # a real token handed out by the view (not the placeholder) belongs to this visitor
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
            pages.set(key, (_now(), response.status_code, headers, response.content), grace + 5)
        return _with_own_token(request, response)
