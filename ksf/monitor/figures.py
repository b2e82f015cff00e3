"""Every figure as a table (page table alternative, CSV and XLSX) and, where it has one, a chart.

The page, the downloads and the bundle all go through `tables(f)`, so a number is formatted
and rounded in exactly one place (`stats.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as esc
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import charts, stats


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    numeric: set[int] = field(default_factory=set)  # column indexes right-aligned on the page
    available: bool = True
    note: str = ""


    def html(self) -> SafeString:
        """The table alternative, rendered here rather than in the template (it is on the hot path)."""
        num = ' class="num"'
        head = "".join(f'<th scope="col"{num if i in self.numeric else ""}>{esc(str(c))}</th>' for i, c in enumerate(self.columns))
        body = []
        for row in self.rows:
            cells = [f'<th scope="row">{esc(fmt(row[0]))}</th>']
            cells += [f"<td{num if i in self.numeric else ''}>{esc(fmt(v))}</td>" for i, v in enumerate(row) if i]
            body.append("<tr>" + "".join(cells) + "</tr>")
        if not body:
            body.append(f'<tr><td colspan="{len(self.columns)}">{esc(_("Ingen data i utvalget."))}</td></tr>')
        return mark_safe(  # noqa: S308 — every text piece is escaped
            f'<table class="ds-table" data-size="sm"><caption class="ds-sr-only">{esc(str(self.title))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )


@dataclass
class Figure:
    table: Table
    description: str = ""
    svg: SafeString | None = None


def _yes(value: bool) -> str:
    return _("ja") if value else _("nei")


def fmt(value: Any) -> str:
    """Numbers as on the charts (thin-space thousands, decimal comma), "–" for none."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, int | float):
        return charts._fmt(value)
    return str(value)


def grid_html(participation: stats.Participation) -> SafeString:
    """The county → municipality grid: one linked square per municipality (filled with a check mark
    when it has taken part), with the full text for screen readers."""
    base = reverse("organisations:detail", args=["0000"]).replace("0000", "{}")
    took_part = _("%(name)s: har deltatt (%(n)s behov meldt inn, %(e)s støttet)")
    not_yet = _("%(name)s: ikke deltatt ennå")
    cards = []
    for county in participation.counties:
        cells = []
        for m in county.municipalities:
            if m.participating:
                text = esc(took_part % {"name": m.name, "n": m.needs, "e": m.endorsements})
                cells.append(f'<li><a class="muni-cell on" href="{base.format(esc(m.number))}" title="{text}">'
                             f'<span aria-hidden="true">✓</span><span class="ds-sr-only">{text}</span></a></li>')
            else:
                text = esc(not_yet % {"name": m.name})
                cells.append(f'<li><a class="muni-cell" href="{base.format(esc(m.number))}" title="{text}">'
                             f'<span class="ds-sr-only">{text}</span></a></li>')
        summary = _("%(p)s av %(n)s kommuner (%(s)s %%)") % {
            "p": county.row.participating, "n": county.row.municipalities, "s": fmt(county.row.share)}
        cards.append(f'<div class="county-card"><h4 class="ds-heading" data-size="2xs">{esc(county.row.label)}</h4>'
                     f'<p class="ds-paragraph" data-size="sm">{esc(summary)}</p><ul class="muni-grid">{"".join(cells)}</ul></div>')
    return mark_safe('<div class="county-grid">' + "".join(cards) + "</div>")  # noqa: S308 — every text piece is escaped


def tables(snap: stats.Snapshot) -> dict[str, Table]:
    """All downloadable figures of a snapshot, by slug (the slug is the file name)."""
    return {**need_tables(snap), **other_tables(snap)}


def need_tables(snap: stats.Snapshot) -> dict[str, Table]:
    """The headline and the figures computed from the needs tables only."""
    s = snap.needs
    head = snap.headline
    labels = dict(stats.HEADLINE_FIELDS)
    out: list[Table] = [
        Table("nokkeltall", _("Nøkkeltall"), [_("Nøkkel"), _("Figur"), _("Verdi")],
              [[k, str(labels[k]), v] for k, v in head.items()], {2}),
        Table("behov-per-kvartal", _("Behov meldt inn per kvartal"), [_("Kvartal"), _("Første dag"), _("Behov meldt inn")],
              [[q.label, q.start, q.count] for q in s.quarters], {2}),
        Table("behov-etter-niva", _("Behov etter høyeste nivå de har nådd"), [_("Høyeste nivå"), _("Antall"), _("Andel (%)")],
              [[r.label, r.count, r.share] for r in s.levels], {1, 2}),
        Table("behov-etter-utfall", _("Behov etter utfall"), [_("Utfall"), _("Antall"), _("Andel (%)")],
              [[r.label, r.count, r.share] for r in s.outcomes], {1, 2}),
    ]
    p = s.participation
    part_cols = [_("Kommuner"), _("Har deltatt"), _("Andel kommuner (%)"), _("Innbyggere"),
                 _("Innbyggere i kommuner som har deltatt"), _("Andel av befolkningen (%)")]

    def prow(r: stats.ParticipationRow) -> list[Any]:
        return [r.municipalities, r.participating, r.share, r.population, r.participating_population, r.population_share]

    out.append(Table("deltakelse-helseregioner", _("Deltakelse per helseregion"), [_("Helseregion"), *part_cols],
                     [[r.label, *prow(r)] for r in p.regions] + [[_("Totalt"), *prow(p.total)]], {1, 2, 3, 4, 5, 6}))
    out.append(Table("deltakelse-fylker", _("Deltakelse per fylke"), [_("Fylkesnr."), _("Fylke"), _("Helseregion"), *part_cols],
                     [[c.row.key, c.row.label, c.region, *prow(c.row)] for c in p.counties], {3, 4, 5, 6, 7, 8}))
    out.append(Table(
        "deltakelse-kommuner", _("Deltakelse per kommune"),
        [_("Kommunenr."), _("Kommune"), _("Fylke"), _("Behov meldt inn"), _("Behov støttet"), _("Har deltatt")],
        [[m.number, m.name, c.row.label, m.needs, m.endorsements, _yes(m.participating)] for c in p.counties for m in c.municipalities],
        {3, 4},
    ))
    out.append(Table(
        "saksbehandlingstid", _("Saksbehandlingstid i dager fra innsending"),
        [_("Steg"), _("Avsluttet (antall)"), _("Fortsatt åpne"), _("Median (dager)"), _("80-persentil (dager)")],
        [[r.label, r.completed, r.open, r.median_days, r.p80_days] for r in s.stages], {1, 2, 3, 4},
    ))
    cols = [_("Kvartal innsendt"), _("Første dag"), _("Innsendt")]
    for stage in stats.STAGES:
        cols += [f"{stage.label}: " + _("median (dager)"), f"{stage.label}: " + _("80-persentil (dager)"),
                 f"{stage.label}: " + _("avsluttet"), f"{stage.label}: " + _("åpne")]
    rows = []
    for q in s.stage_quarters:
        row: list[Any] = [q.label, q.start, q.submitted]
        for stage in stats.STAGES:
            st = q.stages[stage.key]
            row += [st.median_days, st.p80_days, st.completed, st.open]
        rows.append(row)
    out.append(Table("saksbehandlingstid-per-kvartal", _("Saksbehandlingstid etter kvartal behovet ble sendt inn"), cols, rows,
                     set(range(2, len(cols)))))

    return {t.slug: t for t in out}


def other_tables(snap: stats.Snapshot) -> dict[str, Table]:
    """Projects, user participation and joint procurement (read live from those apps)."""
    out: list[Table] = []
    projects = snap.projects
    for slug, title, key, (kcol, vcol) in (
        ("prosjekter-etter-status", _("Prosjekter etter status"), "by_status", (_("Status"), _("Antall"))),
        ("prosjekter-finansiering", _("Prosjektfinansiering etter kilde (kroner)"), "funding", (_("Kilde"), _("Beløp (kr)"))),
    ):
        out.append(_optional_table(slug, title, projects[key], kcol, vcol))
    part = projects["participation"]
    out.append(Table("brukermedvirkning", _("Brukermedvirkning i prosjekter: andel etter fase og rolle"),
                     [_("Kategori"), _("Prosjekter"), _("Andel av prosjektene (%)")],
                     [[r["label"], r["value"], r["share"]] for r in part.rows], {1, 2},
                     available=part.available, note=part.note))
    ratio = snap.ratio
    out.append(Table("prosjekter-per-besvart-behov", _("Prosjekter per besvarte behov"),
                     [_("Prosjekter"), _("Besvarte behov"), _("Prosjekter per besvarte behov")],
                     [[ratio.projects, ratio.answered, ratio.ratio]] if ratio.available else [], {0, 1, 2},
                     available=ratio.available, note=ratio.note))
    out.append(_optional_table("anskaffelser-etter-fase", _("Felles anskaffelser etter fase"), snap.procurement,
                               _("Fase"), _("Antall")))
    return {t.slug: t for t in out}


def _optional_table(slug: str, title: str, fig: stats.Optional_, kcol: str, vcol: str) -> Table:
    if not fig.available:
        return Table(slug, title, [kcol, vcol], [], {1}, available=False, note=fig.note)
    return Table(slug, title, [kcol, vcol], [[r["label"], r["value"]] for r in fig.rows], {1}, note=fig.note)


Section = tuple[str, str, list[Figure]]


def figures(snap: stats.Snapshot) -> tuple[dict[str, Table], list[Section]]:
    """The page's sections: (heading, intro, figures), each figure with its table and chart."""
    t = tables(snap)
    return t, need_sections(snap, t) + other_sections(snap, t)


def need_sections(snap: stats.Snapshot, t: dict[str, Table] | None = None) -> list[Section]:
    """Needs, participation and lead times (depend only on the needs tables: cacheable as HTML)."""
    t = t or need_tables(snap)
    s = snap.needs

    def fig(slug: str, description: str = "", svg: SafeString | None = None) -> Figure:
        return Figure(t[slug], description, svg)

    q = t["behov-per-kvartal"]
    needs = [
        fig("behov-per-kvartal", _("Talt etter datoen behovet første gang ble sendt inn. Kvartaler uten behov er med."),
            charts.columns("c-quarters", _("Søylediagram: behov meldt inn per kvartal"), [r[0] for r in q.rows],
                           charts.Series(_("Behov"), [r[2] for r in q.rows]))),
        fig("behov-etter-niva", _("Høyeste nivå i behandlingen behovet har nådd, ifølge historikken."),
            charts.hbar("c-levels", _("Stolpediagram: behov etter høyeste nivå"), [r.label for r in s.levels],
                        [charts.Series(_("Behov"), [r.count for r in s.levels])])),
        fig("behov-etter-utfall", _("Utfall etter behovets status nå."),
            charts.hbar("c-outcomes", _("Stolpediagram: behov etter utfall"), [r.label for r in s.outcomes],
                        [charts.Series(_("Behov"), [r.count for r in s.outcomes])])),
    ]
    regions = s.participation.regions
    participation = [
        fig("deltakelse-helseregioner", _("Kommuner som har meldt inn eller støttet minst ett behov, og deres andel av befolkningen."),
            charts.hbar("c-part", _("Stolpediagram: andel kommuner og andel av befolkningen som har deltatt, per helseregion"),
                        [r.label for r in regions] + [_("Totalt")],
                        [charts.Series(_("Andel kommuner"), [r.share for r in regions] + [s.participation.total.share]),
                         charts.Series(_("Andel av befolkningen"), [r.population_share for r in regions] + [s.participation.total.population_share])],
                        unit=" %")),
        fig("deltakelse-fylker", "",
            charts.hbar("c-county", _("Stolpediagram: andel kommuner og andel av befolkningen som har deltatt, per fylke"),
                        [c.row.label for c in s.participation.counties],
                        [charts.Series(_("Andel kommuner"), [c.row.share for c in s.participation.counties]),
                         charts.Series(_("Andel av befolkningen"), [c.row.population_share for c in s.participation.counties])],
                        unit=" %")),
    ]
    stages = s.stages
    sq = s.stage_quarters
    lead = [
        fig("saksbehandlingstid", _("Dager fra første innsending til steget er avsluttet. Åpne behov er ikke med i tidene, men telles som åpne."),
            charts.hbar("c-lead", _("Stolpediagram: median og 80-persentil dager per steg"), [r.label for r in stages],
                        [charts.Series(_("Median"), [r.median_days for r in stages]),
                         charts.Series(_("80-persentil"), [r.p80_days for r in stages])], unit=" d")),
        fig("saksbehandlingstid-per-kvartal", _("Dager fra innsending til svar, etter kvartalet behovet ble sendt inn."),
            charts.lines("c-leadq", _("Linjediagram: median og 80-persentil dager til svar per kvartal"), [r.label for r in sq],
                         [charts.Series(_("Median dager til svar"), [r.stages["answered"].median_days for r in sq]),
                          charts.Series(_("80-persentil dager til svar"), [r.stages["answered"].p80_days for r in sq])])),
    ]
    return [
        (_("Kunnskapsbehov"), "", needs),
        (_("Deltakelse"), _("Hvor mange av kommunene som har meldt inn eller støttet minst ett behov."), participation),
        (_("Saksbehandlingstid"), _("Beregnet fra statushistorikken."), lead),
    ]


def other_sections(snap: stats.Snapshot, t: dict[str, Table] | None = None) -> list[Section]:
    """Projects, user participation and joint procurement."""
    t = t or other_tables(snap)

    def fig(slug: str, description: str = "", svg: SafeString | None = None) -> Figure:
        return Figure(t[slug], description, svg)

    proj = []
    for slug, uid, unit, col in (("prosjekter-etter-status", "c-pstatus", "", 1), ("prosjekter-finansiering", "c-pfund", " kr", 1),
                                 ("brukermedvirkning", "c-users", " %", 2)):
        table = t[slug]
        svg = None
        if table.available and table.rows:
            svg = charts.hbar(uid, _("Stolpediagram: ") + table.title, [str(r[0]) for r in table.rows],
                              [charts.Series(table.columns[col], [_num(r[col]) for r in table.rows])], unit=unit)
        proj.append(fig(slug, "", svg))
    proj.append(fig("prosjekter-per-besvart-behov"))
    proc_t = t["anskaffelser-etter-fase"]
    proc = [fig("anskaffelser-etter-fase", "",
                charts.hbar("c-proc", _("Stolpediagram: felles anskaffelser etter fase"), [str(r[0]) for r in proc_t.rows],
                            [charts.Series(_("Anskaffelser"), [_num(r[1]) for r in proc_t.rows])])
                if proc_t.available and proc_t.rows else None)]
    return [
        (_("Prosjekter og brukermedvirkning"), "", proj),
        (_("Felles anskaffelser"), "", proc),
    ]


def _num(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
