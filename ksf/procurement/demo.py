"""Demo data for joint procurement (idempotent; called by `manage.py load_demo`).

1. "Digitalt tilsyn om natten": pooled from published innovation needs, lead Bergen, with
   Askøy, Øygarden and Helse Bergen HF; in market dialogue, Trygghetsteknologi AS registered,
   one question answered, and a pending join request from Trondheim.
2. "Digitalt tilsyn i sykehjem – pilot": an earlier initiative led by Askøy, now in trial,
   with a published experience report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ksf.needs.models import Need, NeedKind

from . import services
from .models import ExperienceReport, Initiative, JoinRequest
from .phases import Phase

TITLE_1 = "Digitalt tilsyn om natten"
TITLE_2 = "Digitalt tilsyn i sykehjem – pilot"

DEMO_NEEDS = [
    {
        "title": "Digitalt tilsyn om natten for hjemmeboende med demens",
        "question": "Vi trenger en løsning som varsler nattpatruljen når en hjemmeboende med demens står opp "
                    "eller forlater boligen, slik at vi kan redusere fysiske tilsyn som vekker brukeren.",
        "service_area": "velferdsteknologi",
        "target_group": "Hjemmeboende med demens",
        "why_it_matters": "Nattpatruljen rekker ikke alle tilsyn, og fysiske tilsyn forstyrrer søvnen.",
    },
    {
        "title": "Sensorer som oppdager fall om natten i omsorgsboliger",
        "question": "Hvordan kan vi oppdage fall og uro om natten i omsorgsboliger uten kamera, og varsle "
                    "personalet raskt nok?",
        "service_area": "velferdsteknologi",
        "target_group": "Beboere i omsorgsboliger",
        "why_it_matters": "Fall om natten oppdages ofte sent.",
    },
]


def _innovation_needs(world: Any) -> list[Need]:
    published = Need.objects.filter(kind=NeedKind.INNOVATION, published_at__isnull=False)
    if not published.exists():
        from ksf.needs import services as need_services
        from ksf.needs.workflow import Status

        for data in DEMO_NEEDS:
            need = need_services.need_create(
                user=world.sykepleier_askoy, data={**data, "kind": NeedKind.INNOVATION}, submit=True
            )
            need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW)
    preferred = list(published.filter(title__icontains="tilsyn")[:3])
    rest = list(published.exclude(pk__in=[n.pk for n in preferred]).order_by("published_at")[: max(0, 2 - len(preferred))])
    return preferred + rest


def _night_supervision(world: Any) -> Initiative:
    coordinator = world.koordinator_bergen
    initiative = services.initiative_create(
        user=coordinator,
        lead=world.bergen,
        data={
            "title": TITLE_1,
            "description": (
                "Kommunene i Bergensklyngen og Helse Bergen trenger en løsning for tilsyn om natten hos "
                "hjemmeboende med demens og i omsorgsboliger: varsling når brukeren står opp, forlater "
                "boligen eller faller, uten kamera og uten å vekke brukeren. Løsningen må kunne kobles til "
                "kommunenes responssenter og deles med helseforetaket ved innleggelse og utskrivning."
            ),
            "volume_text": "Om lag 400 brukere i tre kommuner de første to årene, med mulighet for utvidelse.",
            "volume_number": 400,
            "volume_unit": "brukere",
        },
        needs=_innovation_needs(world),
        participants=[world.askoy, world.oygarden, world.helse_bergen],
        publish=True,
    )
    today = timezone.localdate()
    services.phase_plan_set(initiative=initiative, user=coordinator, plans={
        Phase.NEED_CLARIFICATION: (today - dt.timedelta(days=90), today - dt.timedelta(days=10)),
        Phase.MARKET_DIALOGUE: (today - dt.timedelta(days=10), today + dt.timedelta(days=50)),
        Phase.COMPETITION: (today + dt.timedelta(days=60), today + dt.timedelta(days=150)),
    })
    services.document_add(
        initiative=initiative, user=coordinator, phase=Phase.NEED_CLARIFICATION,
        title="Behovsbeskrivelse: digitalt tilsyn om natten", url="https://example.no/bergensklyngen/behovsbeskrivelse-nattilsyn.pdf",
    )
    initiative = services.initiative_move_phase(initiative=initiative, user=coordinator, to=Phase.MARKET_DIALOGUE)
    initiative = services.initiative_update(
        initiative=initiative, user=coordinator, version=initiative.version,
        data={"dialogue_open": True, "dialogue_deadline": today + dt.timedelta(days=45)},
    )
    services.document_add(
        initiative=initiative, user=coordinator, phase=Phase.MARKET_DIALOGUE,
        title="Invitasjon til dialogkonferanse", url="https://example.no/bergensklyngen/dialogkonferanse-nattilsyn",
    )
    supplier = world.leverandor
    services.interest_register(initiative=initiative, user=supplier, contact_role="Salgsansvarlig for kommunemarkedet")
    question = services.question_ask(
        initiative=initiative, user=supplier,
        text="Må løsningen kunne integreres med responssenteret dere bruker i dag, eller er det åpent for en ny plattform?",
    )
    services.question_answer(
        question=question, user=coordinator,
        answer="Løsningen må kunne sende varsler til dagens responssenter via åpent grensesnitt. Vi er åpne for "
               "ny plattform dersom den støtter dette. Svaret gjelder alle leverandører.",
    )
    services.join_request_create(
        initiative=initiative, user=world.fou_trondheim, organisation=world.trondheim,
        message="Trondheim vurderer samme behov og vil gjerne delta i markedsdialogen.",
    )
    return initiative


def _pilot(world: Any) -> Initiative:
    contact = world.fou_askoy
    start = timezone.now() - dt.timedelta(days=540)
    initiative = services.initiative_create(
        user=contact,
        lead=world.askoy,
        data={
            "title": TITLE_2,
            "description": "Askøy og Øygarden trengte et tilsynsverktøy for natten i sykehjem som reduserer "
                           "unødvendige fysiske tilsyn og oppdager fall raskere.",
            "volume_text": "To sykehjem, 60 rom.",
            "volume_number": 60,
            "volume_unit": "rom",
        },
        participants=[world.oygarden],
        publish=True,
    )
    for days, phase in ((420, Phase.MARKET_DIALOGUE), (330, Phase.COMPETITION), (240, Phase.CONTRACT), (180, Phase.PILOT)):
        initiative = services.initiative_move_phase(
            initiative=initiative, user=contact, to=phase, when=start + dt.timedelta(days=540 - days)
        )
    services.document_add(
        initiative=initiative, user=contact, phase=Phase.CONTRACT,
        title="Kontrakt (sladdet versjon)", url="https://example.no/askoy/kontrakt-digitalt-tilsyn.pdf",
    )
    services.experience_report_create(
        initiative=initiative, user=contact, organisation=world.askoy,
        data={
            "title": "Askøy: erfaringer med digitalt tilsyn om natten i sykehjem",
            "what_procured": "Digitalt tilsyn med bevegelses- og fallsensorer (uten kamera) i 60 rom, koblet til "
                             "personalets mobiltelefoner, med opplæring og drift i tre år.",
            "cost_range": "500k-2m",
            "effects": "Fysiske nattilsyn gikk ned med om lag 40 prosent. Beboerne sov bedre ifølge pårørende og "
                       "personalet, og fall ble oppdaget raskere. Falske alarmer var et problem de første ukene.",
            "lessons": "Vi ville involvert nattevaktene tidligere i behovsavklaringen, satt av mer tid til "
                       "justering av sensorene og avtalt tydeligere hvem som følger opp falske alarmer.",
        },
        publish=True,
    )
    return initiative


def load(world: Any) -> str:
    created = []
    if not Initiative.objects.filter(title=TITLE_1).exists():
        _night_supervision(world)
        created.append(TITLE_1)
    if not Initiative.objects.filter(title=TITLE_2).exists():
        _pilot(world)
        created.append(TITLE_2)
    return (
        f"{Initiative.objects.count()} anskaffelser, {ExperienceReport.objects.count()} erfaringsrapporter, "
        f"{JoinRequest.objects.filter(status='pending').count()} ventende forespørsler"
        + (f" (nye: {', '.join(created)})" if created else " (ingen endringer)")
    )
