"""Server-rendered SVG charts (no JavaScript): horizontal bars, columns and lines.

Each chart is an `<svg role="img" aria-label=...>` with a `<title>`; the page puts it in a
`<figure>` with a `<figcaption>` and a data table alternative. Colours have at least 4.5:1
contrast against white (so they work for text and for graphics), and series are told apart by
more than colour: every value is written next to its bar or point, the second series is
hatched (bars) or dashed with square markers (lines), and the legend says so in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Contrast against #fff: 6.8:1, 5.6:1, 5.9:1, 8.6:1.
COLOURS = ["#0b5cad", "#a8420f", "#23733a", "#5b2d8e"]
TEXT = "#1b1b1b"
GRID = "#767676"  # 4.5:1, also used for axes
FONT = 'font-family="Inter, Segoe UI, system-ui, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", "\u202f")
    else:
        text = f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}{unit}"


def _defs(uid: str) -> str:
    out = []
    for i, colour in enumerate(COLOURS):
        out.append(
            f'<pattern id="{uid}-h{i}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="{colour}"/></pattern>'
        )
    return "<defs>" + "".join(out) + "</defs>"


def _fill(uid: str, i: int) -> str:
    return COLOURS[i % len(COLOURS)] if i % 2 == 0 else f"url(#{uid}-h{i % len(COLOURS)})"


def _legend(uid: str, series: Sequence[Series], x: float, y: float, line: bool = False) -> str:
    parts = []
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if line:
            dash = ' stroke-dasharray="6 4"' if i % 2 else ""
            marker = _marker(i, x + 11, y - 4, colour)
            parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{colour}" stroke-width="3"{dash}/>{marker}')
        else:
            parts.append(f'<rect x="{x}" y="{y - 12}" width="16" height="14" fill="{_fill(uid, i)}" stroke="{colour}" stroke-width="1.5"/>')
        parts.append(f'<text x="{x + 28}" y="{y}" font-size="13" fill="{TEXT}" {FONT}>{escape(s.name)}</text>')
        x += 40 + 7.5 * len(s.name)
    return "".join(parts)


def _marker(i: int, cx: float, cy: float, colour: str) -> str:
    if i % 2:
        return f'<rect x="{cx - 4.5:.1f}" y="{cy - 4.5:.1f}" width="9" height="9" fill="#fff" stroke="{colour}" stroke-width="2.5"/>'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{colour}"/>'


def _svg(uid: str, label: str, width: float, height: float, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 — every text piece above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" aria-label="{escape(label)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(label)}</title>'
        f"{_defs(uid)}{body}</svg>"
    )


def _nice_max(values: Sequence[float | None]) -> float:
    """The smallest "round" maximum >= every value that splits into four round grid steps
    (whole-number steps when all values are whole numbers, e.g. counts)."""
    present = [v for v in values if v is not None]
    value = max(present, default=0)
    integer = all(float(v).is_integer() for v in present)
    if value <= 0:
        return 4.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in factors if m * magnitude >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    return float(step * 4)


LABEL_MAX = 38


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def hbar(uid: str, label: str, categories: Sequence[str], series: Sequence[Series], unit: str = "") -> SafeString:
    """Horizontal bars, one group per category (grouped when there are several series)."""
    categories = [_short(c) for c in categories]
    label_w = min(310.0, max(90.0, 7.6 * max((len(c) for c in categories), default=10) + 16))
    width, bar_h, gap = 720.0, 20.0, 12.0
    plot_w = width - label_w - 90
    group_h = bar_h * len(series) + gap
    top = 34.0 if len(series) > 1 else 8.0
    height = top + group_h * len(categories) + 26
    vmax = _nice_max([v for s in series for v in s.values])
    body = []
    if len(series) > 1:
        body.append(_legend(uid, series, label_w, 18))
    for t in range(5):
        gx = label_w + plot_w * t / 4
        body.append(f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - 22}" stroke="#d0d0d0" stroke-width="1"/>')
        body.append(f'<text x="{gx:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{_fmt(vmax * t / 4)}</text>')
    for ci, cat in enumerate(categories):
        y0 = top + ci * group_h
        body.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 5:.1f}" font-size="13" text-anchor="end" fill="{TEXT}" {FONT}>{escape(cat)}</text>'
        )
        for si, s in enumerate(series):
            value = s.values[ci]
            w = plot_w * (value or 0) / vmax
            y = y0 + si * bar_h
            body.append(
                f'<rect x="{label_w}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{bar_h - 3}" fill="{_fill(uid, si)}" '
                f'stroke="{COLOURS[si % len(COLOURS)]}" stroke-width="1.5"/>'
            )
            body.append(
                f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h - 7:.1f}" font-size="12.5" fill="{TEXT}" {FONT}>{_fmt(value, unit)}</text>'
            )
    body.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 22}" stroke="{GRID}" stroke-width="1.5"/>')
    return _svg(uid, label, width, height, "".join(body))


def columns(uid: str, label: str, categories: Sequence[str], series: Series, unit: str = "") -> SafeString:
    """Vertical columns, one per category (e.g. needs per quarter); values written above."""
    width, height, left, bottom, top = 720.0, 280.0, 44.0, 48.0, 16.0
    n = max(len(categories), 1)
    plot_w, plot_h = width - left - 10, height - top - bottom
    slot = plot_w / n
    bar_w = min(44.0, slot * 0.7)
    vmax = _nice_max(list(series.values))
    body = []
    for t in range(5):
        gy = top + plot_h - plot_h * t / 4
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - 10}" y2="{gy:.1f}" stroke="#d0d0d0" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{gy + 4:.1f}" font-size="12" text-anchor="end" fill="{TEXT}" {FONT}>{_fmt(vmax * t / 4)}</text>')
    every = max(1, -(-n // 12))  # at most ~12 axis labels
    for i, cat in enumerate(categories):
        value = series.values[i]
        h = plot_h * (value or 0) / vmax
        x = left + slot * i + (slot - bar_w) / 2
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[0]}"/>')
        if n <= 24:
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 5:.1f}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{_fmt(value, unit)}</text>'
            )
        if i % every == 0:
            year, _sep, q = cat.partition(" ")
            cx = x + bar_w / 2
            body.append(f'<text x="{cx:.1f}" y="{height - bottom + 18}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(q or cat)}</text>')
            if q and (q == "K1" or i == 0):
                body.append(f'<text x="{cx:.1f}" y="{height - bottom + 34}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(year)}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{GRID}" stroke-width="1.5"/>')
    return _svg(uid, label, width, height, "".join(body))


def lines(uid: str, label: str, categories: Sequence[str], series: Sequence[Series], unit: str = "") -> SafeString:
    """Lines over categories (e.g. lead time per quarter); gaps where a value is missing."""
    width, height, left, bottom, top = 720.0, 300.0, 44.0, 48.0, 40.0
    n = max(len(categories), 1)
    plot_w, plot_h = width - left - 30, height - top - bottom
    step = plot_w / max(n - 1, 1)
    vmax = _nice_max([v for s in series for v in s.values])
    body = [_legend(uid, series, left, 20, line=True)]
    for t in range(5):
        gy = top + plot_h - plot_h * t / 4
        body.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - 30}" y2="{gy:.1f}" stroke="#d0d0d0" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{gy + 4:.1f}" font-size="12" text-anchor="end" fill="{TEXT}" {FONT}>{_fmt(vmax * t / 4)}</text>')
    every = max(1, -(-n // 12))
    for i, cat in enumerate(categories):
        if i % every == 0:
            year, _sep, q = cat.partition(" ")
            cx = left + step * i
            body.append(f'<text x="{cx:.1f}" y="{height - bottom + 18}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(q or cat)}</text>')
            if q and (q == "K1" or i == 0):
                body.append(f'<text x="{cx:.1f}" y="{height - bottom + 34}" font-size="12" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(year)}</text>')
    for si, s in enumerate(series):
        colour = COLOURS[si % len(COLOURS)]
        dash = ' stroke-dasharray="6 4"' if si % 2 else ""
        segment: list[str] = []
        segments: list[list[str]] = []
        points = []
        for i, value in enumerate(s.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            x, y = left + step * i, top + plot_h - plot_h * value / vmax
            segment.append(f"{x:.1f},{y:.1f}")
            points.append((x, y, value))
        if segment:
            segments.append(segment)
        for seg in segments:
            body.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for x, y, value in points:
            body.append(_marker(si, x, y, colour))
            if n <= 8:
                dy = -9 if si % 2 == 0 else 18
                body.append(f'<text x="{x:.1f}" y="{y + dy:.1f}" font-size="11.5" text-anchor="middle" fill="{TEXT}" {FONT}>{_fmt(value, unit)}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 30}" y2="{top + plot_h}" stroke="{GRID}" stroke-width="1.5"/>')
    if not any(v is not None for s in series for v in s.values):
        body.append(f'<text x="{width / 2}" y="{top + plot_h / 2}" font-size="14" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(_("Ingen avsluttede saker i perioden"))}</text>')
    return _svg(uid, label, width, height, "".join(body))
