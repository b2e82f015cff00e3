"""The default criteria of a prioritisation round, with published anchors, and the two
criteria the system computes instead of asking participants: omfang and kunnskapsstatus.

The scale is 1–5 for every criterion; a higher number means higher priority.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ksf.needs.models import Endorsement, Need
from ksf.needs.workflow import Status
from ksf.organisations.models import Organisation

from .models import CriterionSource


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    name: str
    description: str
    source: str
    weight: Decimal
    anchors: dict[str, str]


# Thresholds for omfang: (points, minimum municipalities, minimum combined population).
# A need gets the highest points it reaches on either measure.
OMFANG_THRESHOLDS: tuple[tuple[int, int, int], ...] = (
    (5, 10, 400_000),
    (4, 5, 150_000),
    (3, 3, 50_000),
    (2, 2, 20_000),
    (1, 1, 0),
)


def default_criteria() -> list[CriterionSpec]:
    """The criteria a new round starts with (the coordinator may change weights and add more)."""
    t = gettext_lazy
    return [
        CriterionSpec(
            "omfang", str(t("Omfang")),
            str(t("Hvor mange kommuner og innbyggere behovet gjelder: innmelderkommunen og kommunene som har sagt "
                  "«relevant for oss også», med samlet innbyggertall. Beregnes av systemet, settes ikke av deltakerne.")),
            CriterionSource.OMFANG, Decimal("1"),
            {
                "1": str(t("1 kommune og under 20 000 innbyggere")),
                "2": str(t("2 kommuner eller minst 20 000 innbyggere")),
                "3": str(t("3–4 kommuner eller minst 50 000 innbyggere")),
                "4": str(t("5–9 kommuner eller minst 150 000 innbyggere")),
                "5": str(t("10 kommuner eller flere, eller minst 400 000 innbyggere")),
            },
        ),
        CriterionSpec(
            "alvorlighet", str(t("Alvorlighet")),
            str(t("Hvor alvorlig situasjonen er for dem behovet gjelder: tap av livskvalitet, funksjon eller "
                  "levetid, nå og framover.")),
            CriterionSource.SCORED, Decimal("2"),
            {
                "1": str(t("Lite alvorlig: forbigående plager, lite tap av funksjon eller livskvalitet")),
                "3": str(t("Moderat alvorlig: varig redusert funksjon eller livskvalitet for en del brukere")),
                "5": str(t("Svært alvorlig: fare for liv eller stort og varig tap av funksjon eller livskvalitet")),
            },
        ),
        CriterionSpec(
            "nytte", str(t("Nytte")),
            str(t("Forventet nytte for brukerne og tjenesten om behovet blir besvart: helse, livskvalitet, "
                  "mestring, kvalitet eller pasientsikkerhet.")),
            CriterionSource.SCORED, Decimal("2"),
            {
                "1": str(t("Liten eller svært usikker nytte")),
                "3": str(t("Tydelig nytte for en avgrenset gruppe")),
                "5": str(t("Stor nytte for mange brukere eller for kvaliteten i tjenesten")),
            },
        ),
        CriterionSpec(
            "ressurs", str(t("Ressursbruk i dag")),
            str(t("Hvor mye ressurser tjenestene bruker på området i dag (tid, personell, kostnader). "
                  "Stor ressursbruk gir større gevinst av bedre kunnskap.")),
            CriterionSource.SCORED, Decimal("1"),
            {
                "1": str(t("Liten ressursbruk i dag")),
                "3": str(t("Betydelig ressursbruk i en del kommuner")),
                "5": str(t("Svært stor ressursbruk i mange kommuner")),
            },
        ),
        CriterionSpec(
            "kunnskapsstatus", str(t("Kunnskapsstatus")),
            str(t("Om det finnes kunnskap som svarer på behovet, fra kunnskapssjekken og behovets status. "
                  "Et dokumentert kunnskapshull gir høyest poeng. Beregnes av systemet.")),
            CriterionSource.KNOWLEDGE, Decimal("1"),
            {
                "1": str(t("Besvart med eksisterende kunnskap")),
                "2": str(t("Kunnskap som besvarer behovet er koblet til")),
                "3": str(t("Kunnskapssjekk eller oppsummering pågår, eller relatert kunnskap er koblet til")),
                "4": str(t("Ikke undersøkt: ingen kunnskap er koblet til behovet ennå")),
                "5": str(t("Dokumentert kunnskapshull: kunnskapssjekken fant ikke svar")),
            },
        ),
        CriterionSpec(
            "gjennomforbarhet", str(t("Gjennomførbarhet")),
            str(t("Om det er realistisk å skaffe svaret: forskningspartnere, data, tid og kostnad.")),
            CriterionSource.SCORED, Decimal("1"),
            {
                "1": str(t("Lite realistisk innen rimelig tid og kostnad")),
                "3": str(t("Mulig med noe tilrettelegging")),
                "5": str(t("Godt gjennomførbart: partnere og data er på plass")),
            },
        ),
    ]


@dataclass(frozen=True)
class Omfang:
    municipalities: int
    population: int
    score: int


def omfang_score(municipalities: int, population: int) -> int:
    for points, min_munis, min_population in OMFANG_THRESHOLDS:
        if municipalities >= min_munis or (min_population and population >= min_population):
            return points
    return 1


def omfang_for(needs: Iterable[Need]) -> dict[int, Omfang]:
    """Submitting plus endorsing municipalities, their combined population, and the 1–5 score."""
    result: dict[int, Omfang] = {}
    for need in needs:
        ids = {need.municipality_id}
        ids.update(Endorsement.objects.filter(need=need).values_list("municipality_id", flat=True))
        population = Organisation.objects.filter(pk__in=ids).aggregate(total=Sum("population"))["total"] or 0
        result[need.pk] = Omfang(len(ids), int(population), omfang_score(len(ids), int(population)))
    return result


_ANSWERED = {Status.ANSWERED, Status.SUMMARY_PUBLISHED, Status.RESULTS_PUBLISHED, Status.ANSWERED_LOCALLY}
_GAP = {Status.RESEARCH_PROPOSAL, Status.IN_PROJECT}
_IN_PROGRESS = {Status.EVIDENCE_CHECK, Status.SUMMARY_COMMISSIONED}


def evidence_relations(need: Need) -> list[str]:
    """Relations of the evidence linked to the need (empty until ksf.evidence is installed)."""
    try:
        from ksf.evidence.models import NeedEvidenceLink
    except ImportError:  # pragma: no cover - the evidence app is optional for this module
        return []
    return list(NeedEvidenceLink.objects.filter(need=need).values_list("relation", flat=True))


def knowledge_score(need: Need) -> tuple[int, str]:
    """Kunnskapsstatus 1–5 from the need's status and linked evidence, with the reason."""
    if need.status in _ANSWERED:
        return 1, _("Behovet er besvart")
    if need.status in _GAP:
        return 5, _("Kunnskapshull er dokumentert")
    relations = set(evidence_relations(need))
    if "answers" in relations:
        return 2, _("Kunnskap som besvarer behovet er koblet til")
    if need.status in _IN_PROGRESS:
        return 3, _("Kunnskapssjekk eller oppsummering pågår")
    if relations:
        return 3, _("Relatert kunnskap er koblet til")
    return 4, _("Ikke undersøkt ennå")
