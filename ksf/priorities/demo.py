"""Demo data for prioritisation (idempotent; called by `manage.py load_demo` after needs and evidence).

- A published regional round in RSO Vest: three participants (the RSO Vest coordinator, the Bergen
  cluster coordinator and an FHI researcher), declarations (one conflict), scores, ranking and
  decisions that moved the needs.
- An open round in RSO Vest, ready to be run in the browser (declare, score, start the meeting, decide).
- Published decision records by Askøy (adopted) and Trondheim (trial) on an answered need.

Needs come from the needs demo where possible (FORWARDED / answered needs in Vest); missing
ones are created through `ksf.needs.services`, walked by the personas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from ksf.needs import services as need_services
from ksf.needs.models import Endorsement, Need
from ksf.needs.workflow import Status
from ksf.organisations.models import HealthRegion

from . import services
from .access import ANSWERED_FOR_DECISION
from .models import DecisionKind, DecisionRecord, MunicipalDecision, Round, RoundLevel, RoundStatus

PUBLISHED_TITLE = "Prioriteringsmøte i RSO Vest"
OPEN_TITLE = "Neste prioriteringsmøte i RSO Vest"

# title, question, service area, reporter key, endorsing contacts
DEMO_NEEDS: list[tuple[str, str, str, str, list[str]]] = [
    ("Fallforebygging for hjemmeboende eldre med hjemmetjenester",
     "Hvilke tiltak forebygger fall hos eldre som bor hjemme og får hjemmetjenester, og hva bør vi prioritere?",
     "hjemmetjenester", "sykepleier_askoy", ["fou_trondheim"]),
    ("Digitalt tilsyn om natten i hjemmetjenesten",
     "Gir digitalt tilsyn om natten (kamera, sensorer) like trygg oppfølging som fysiske besøk, og hvordan opplever brukerne det?",
     "velferdsteknologi", "sykepleier_askoy", ["helsesykepleier_oygarden", "fou_trondheim"]),
    ("Ernæringsoppfølging av eldre på sykehjem",
     "Hvilke tiltak hindrer underernæring hos eldre på sykehjem, og hvordan bør kartleggingen gjøres?",
     "sykehjem", "sykepleier_askoy", []),
    ("Angst hos ungdom – oppfølging i skolehelsetjenesten",
     "Hvilke lavterskeltiltak i skolehelsetjenesten hjelper ungdom med angst, og hvem bør gi dem?",
     "helsestasjon", "helsesykepleier_oygarden", ["fou_askoy"]),
    ("Hverdagsrehabilitering etter sykehusopphold",
     "Har hverdagsrehabilitering rett etter utskriving fra sykehus effekt på funksjon og behov for tjenester?",
     "rehabilitering", "sykepleier_askoy", ["helsesykepleier_oygarden"]),
    ("Legemiddelgjennomgang for hjemmeboende med mange legemidler",
     "Reduserer strukturert legemiddelgjennomgang i hjemmetjenesten sykehusinnleggelser hos eldre med mange legemidler?",
     "hjemmetjenester", "helsesykepleier_oygarden", []),
]
ANSWER_TITLE = "Trygghetsalarm med fallsensor for hjemmeboende"


def _due(days: int = 60) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _ensure_forwarded(world: Any, title: str, question: str, area: str, reporter: str, endorsers: list[str]) -> Need:
    need = Need.objects.filter(title=title).first()
    if need is None:
        need = need_services.need_create(
            user=getattr(world, reporter), data={"title": title, "question": question, "service_area": area}, submit=True
        )
        need = need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
        for key in endorsers:
            user = getattr(world, key)
            if not Endorsement.objects.filter(need=need, user=user).exists():
                need_services.need_endorse(need=need, user=user)
        need = need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.FORWARDED)
    return need


def _vest_forwarded(world: Any, count: int, exclude: set[int]) -> list[Need]:
    vest = HealthRegion.objects.get(code="vest")
    found = list(Need.objects.filter(status=Status.FORWARDED, region=vest).exclude(pk__in=exclude).order_by("submitted_at", "pk")[:count])
    for title, question, area, reporter, endorsers in DEMO_NEEDS:
        if len(found) >= count:
            break
        need = _ensure_forwarded(world, title, question, area, reporter, endorsers)
        if need.status == Status.FORWARDED and need.pk not in exclude and need not in found:
            found.append(need)
    return found


def _published_round(world: Any) -> str:
    if Round.objects.filter(title=PUBLISHED_TITLE).exists():
        return "publisert runde fantes"
    vest = HealthRegion.objects.get(code="vest")
    needs = _vest_forwarded(world, 4, set())
    coordinator = world.regionkoordinator_vest
    round_ = services.round_create(
        user=coordinator, level=RoundLevel.REGIONAL, region=vest, title=PUBLISHED_TITLE,
        meeting_date=timezone.localdate() - dt.timedelta(days=7), candidates=needs,
        notes="Møtet ble holdt digitalt. Kunnskapssjekkene rapporteres til neste møte.",
    )
    people = [
        (coordinator, "Leder av møtet, RSO Vest"),
        (world.koordinator_bergen, "Bergensklyngen (motorkommune Bergen)"),
        (world.forsker_fhi, "Forskningspartner, FHI"),
    ]
    for user, capacity in people:
        services.participant_invite(round_=round_, user=coordinator, invitee=user, capacity=capacity)
    services.round_set_status(round_=round_, user=coordinator, to=RoundStatus.OPEN)
    criteria = {c.key: c.pk for c in round_.criteria.all()}
    # Points per participant: need index → (alvorlighet, nytte, ressurs, gjennomførbarhet).
    plan: dict[str, dict[int, tuple[int, int, int, int]]] = {
        "regionkoordinator_vest": {0: (4, 4, 4, 4), 1: (3, 4, 3, 3), 2: (4, 3, 3, 4), 3: (3, 3, 2, 3)},
        "koordinator_bergen": {1: (3, 5, 4, 3), 2: (5, 4, 3, 4), 3: (2, 3, 3, 2)},
        "forsker_fhi": {0: (4, 5, 3, 4), 1: (3, 3, 3, 4), 2: (4, 4, 2, 3), 3: (3, 2, 2, 4)},
    }
    for key, per_need in plan.items():
        user = getattr(world, key)
        for index, need in enumerate(needs):
            if key == "koordinator_bergen" and index == 0:
                services.conflict_declare(round_=round_, user=user, need=need, conflicted=True,
                                          note="Har selv vært med på å utforme behovet i Bergensklyngen.")
                continue
            services.conflict_declare(round_=round_, user=user, need=need, conflicted=False)
            if index in per_need:
                a, n, r, g = per_need[index]
                services.scores_submit(round_=round_, user=user, need=need, values={
                    criteria["alvorlighet"]: a, criteria["nytte"]: n, criteria["ressurs"]: r, criteria["gjennomforbarhet"]: g,
                })
    services.round_set_status(round_=round_, user=coordinator, to=RoundStatus.SCORING)
    kinds = [
        (DecisionKind.EVIDENCE_CHECK, "Høyest rangert; FHI gjør en kunnskapssjekk."),
        (DecisionKind.NATIONAL, "Behovet er meldt fra flere regioner og bør koordineres nasjonalt."),
        (DecisionKind.SUMMARY, "Det finnes spredt forskning; en kunnskapsoppsummering er nødvendig."),
        (DecisionKind.DEFER, "Tas opp igjen i neste møte."),
    ]
    for need, (kind, note) in zip(needs, kinds, strict=False):
        partner = world.fhi if kind in (DecisionKind.EVIDENCE_CHECK, DecisionKind.SUMMARY) else None
        services.round_decide(round_=round_, user=coordinator, need=need, kind=kind, partner=partner,
                              due=_due() if partner else None, note=note)
    services.round_set_status(round_=round_, user=coordinator, to=RoundStatus.CLOSED)
    services.round_set_status(round_=round_, user=coordinator, to=RoundStatus.PUBLISHED)
    return f"publisert runde med {len(needs)} behov"


def _open_round(world: Any) -> str:
    if Round.objects.filter(title=OPEN_TITLE).exists():
        return "åpen runde fantes"
    vest = HealthRegion.objects.get(code="vest")
    coordinator = world.regionkoordinator_vest
    needs = _vest_forwarded(world, 4, set())
    round_ = services.round_create(
        user=coordinator, level=RoundLevel.REGIONAL, region=vest, title=OPEN_TITLE,
        meeting_date=timezone.localdate() + dt.timedelta(days=21), candidates=needs,
    )
    for user, capacity in [
        (coordinator, "Leder av møtet, RSO Vest"),
        (world.koordinator_bergen, "Bergensklyngen (motorkommune Bergen)"),
        (world.forsker_fhi, "Forskningspartner, FHI"),
    ]:
        services.participant_invite(round_=round_, user=coordinator, invitee=user, capacity=capacity)
    services.round_set_status(round_=round_, user=coordinator, to=RoundStatus.OPEN)
    return f"åpen runde med {len(needs)} behov"


def _answered_need(world: Any) -> Need:
    existing = Need.objects.filter(title=ANSWER_TITLE).first()
    if existing is not None and existing.status in ANSWERED_FOR_DECISION:
        return existing
    answered = Need.objects.filter(status__in=[Status.ANSWERED, Status.SUMMARY_PUBLISHED, Status.RESULTS_PUBLISHED]).order_by("pk")
    found = answered.filter(title__icontains="fall").first() or answered.first()
    if found is not None and existing is None:
        return found
    need = existing or _ensure_forwarded(
        world, ANSWER_TITLE,
        "Reduserer trygghetsalarm med automatisk fallsensor tiden eldre ligger etter fall, og hvordan opplever de den?",
        "velferdsteknologi", "sykepleier_askoy", ["fou_trondheim"],
    )
    if need.status == Status.FORWARDED:
        need = need_services.need_transition(need=need, user=world.regionkoordinator_vest, to=Status.EVIDENCE_CHECK,
                                             partner=world.fhi, due=_due(30))
    if need.status == Status.EVIDENCE_CHECK:
        need = need_services.need_transition(
            need=need, user=world.forsker_fhi, to=Status.ANSWERED,
            answer=("Kunnskapen er moderat sikker: automatiske fallalarmer kortere tiden til hjelp kommer etter fall, "
                    "men effekten på innleggelser er usikker. Brukerne verdsetter tryggheten; falske alarmer er vanlige "
                    "de første ukene og krever god opplæring."),
        )
    return need


def _records(world: Any) -> str:
    need = _answered_need(world)
    made = 0
    entries = [
        (world.askoy, world.fou_askoy, MunicipalDecision.ADOPT, {
            "measure_title": "Fallsensor i trygghetsalarmen for hjemmeboende over 80 år",
            "measure_description": "Alle nye brukere av trygghetsalarm over 80 år får tilbud om fallsensor, med opplæring ved oppstart.",
            "knowledge_other": "Svar på kunnskapsbehovet i KSF kunnskapsportal\nErfaringer fra velferdsteknologiprogrammet i Bergensklyngen",
            "nytte_rating": 4, "nytte_text": "Kortere tid på gulvet etter fall; økt trygghet for bruker og pårørende.",
            "ressurs_rating": 2, "ressurs_text": "Lav merkostnad per bruker; noe tid til opplæring og oppfølging av falske alarmer.",
            "alvorlighet_rating": 4, "alvorlighet_text": "Fall hos eldre gir ofte brudd, sykehusinnleggelse og tap av funksjon.",
            "children_text": "Ingen direkte konsekvenser for barn.",
            "local_text": "Spredt bosetting gir lang responstid; tiltaket gir mest nytte i ytterdistriktene.",
            "equity_text": "Tilbys alle over 80 år uavhengig av bosted; brukere uten mobildekning får fasttelefonløsning.",
            "uncertainty_text": "Moderat sikker kunnskap om tid til hjelp; usikker effekt på innleggelser. Vi evaluerer etter ett år.",
            "involvement_text": "Eldrerådet og brukere i hjemmetjenesten har testet løsningen og gitt innspill til opplæringen.",
            "plan_text": "Følger opp kommuneplanens samfunnsdel: «Trygge hjem hele livet».",
            "decision_text": "Kommunedirektøren innfører fallsensor som standard tilbud fra 1. september.",
            "experience_text": "Falske alarmer gikk ned etter at vi la inn en prøveperiode på to uker med tett oppfølging.",
        }),
        (world.trondheim, world.fou_trondheim, MunicipalDecision.TRIAL, {
            "measure_title": "Utprøving av fallsensor i to hjemmetjenestesoner",
            "measure_description": "Seks måneders utprøving i to soner før eventuell innføring i hele kommunen.",
            "nytte_rating": 3, "nytte_text": "Forventet nytte, men vi vil måle den lokalt.",
            "ressurs_rating": 3, "ressurs_text": "Krever oppfølging fra responssenteret.",
            "alvorlighet_rating": 4, "alvorlighet_text": "Fall er en hyppig årsak til innleggelse.",
            "uncertainty_text": "Usikker effekt på innleggelser; utprøvingen skal gi lokale tall.",
            "decision_text": "Utprøving vedtatt av helse- og velferdssjefen.",
        }),
    ]
    for municipality, contact, decision, data in entries:
        record = DecisionRecord.objects.filter(municipality=municipality, measure_title=data["measure_title"]).first()
        if record is None:
            record = services.record_create(
                user=contact, need=need, municipality=municipality,
                data={**data, "decision": decision, "follow_up_date": _due(180)},
            )
            made += 1
        if not record.published:
            services.record_publish(record=record, user=contact)
    return f"{made} nye beslutningsgrunnlag på {need.public_id}"


def load(world: Any) -> str:
    with transaction.atomic():
        parts = [_published_round(world), _open_round(world), _records(world)]
    return "; ".join(parts)
