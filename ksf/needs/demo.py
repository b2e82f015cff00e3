"""Demo needs: ~30 realistic needs across the whole workflow, 2024–2026, walked through the services.

Idempotent: a need whose title already exists is skipped. Every step goes through
`need_create` / `need_transition` (backdated with `when=`), so the history, the public
timeline and the duration statistics are real. A few texts are in nynorsk (Vestland, Volda).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ksf.accounts.access import actor_for
from ksf.accounts.models import Membership, Role, User
from ksf.organisations.models import Organisation, OrgKind

from . import services
from .access import levels_for
from .models import Endorsement, Need
from .workflow import Status, get_transition

OSLO = ZoneInfo("Europe/Oslo")
S = Status

STEP_STATUS = {
    "submit": S.SUBMITTED, "resubmit": S.SUBMITTED, "accept": S.CLUSTER_REVIEW, "clarify": S.CLARIFICATION,
    "forward": S.FORWARDED, "national": S.NATIONAL, "check": S.EVIDENCE_CHECK, "summary": S.SUMMARY_COMMISSIONED,
    "answer": S.ANSWERED, "publish": S.SUMMARY_PUBLISHED, "gap": S.RESEARCH_PROPOSAL, "project": S.IN_PROJECT,
    "results": S.RESULTS_PUBLISHED, "merge": S.MERGED, "reject": S.REJECTED, "local": S.ANSWERED_LOCALLY,
    "withdraw": S.WITHDRAWN,
}
GAPS = [0, 8, 12, 20, 30, 45, 60, 75, 90]

# Each need: title, question, service area, municipality number, start date, steps, endorsers;
# optional PICO, target group, why it matters, urgency, kind.
NEEDS: list[dict[str, Any]] = [
    {
        "title": "Fallforebygging for hjemmeboende eldre med hjemmetjenester",
        "question": "Hvilke tiltak forebygger fall hos eldre som bor hjemme og får hjemmetjenester, og hvor mye trening skal til?",
        "population": "Hjemmeboende over 70 år med hjemmetjenester", "intervention": "Styrke- og balansetrening i hjemmet",
        "comparison": "Vanlig oppfølging", "outcome": "Antall fall og fallskader, innleggelser",
        "service_area": "hjemmetjenester", "target_group": "Eldre hjemmeboende",
        "why": "Fall er den vanligste årsaken til at brukerne våre blir lagt inn på sykehus. Vi vil bruke ressursene på det som virker.",
        "urgency": "high", "m": "4627", "user": "sykepleier_askoy", "start": "2024-02-05",
        "steps": ["submit", "accept", "forward", ("check", "fhi"), ("answer",
            "Ja, det finnes god dokumentasjon. Trening med styrke og balanse minst to–tre ganger i uka i minst tre måneder "
            "reduserer antall fall med omtrent en fjerdedel hos hjemmeboende eldre (Cochrane-oversikt, høy tillit). "
            "Tiltaket virker best når det er individuelt tilpasset og følges opp over tid. Gjennomgang av legemidler og "
            "sikring av hjemmet gir i tillegg effekt for dem med høy fallrisiko.")],
        "endorse": ["4601", "4626", "5001", "1103", "3403", "4631"],
    },
    {
        "title": "Fallførebyggjande trening i heimetenesta",
        "question": "Kva for treningsopplegg kan heimetenesta bruke for å førebyggje fall hjå eldre som bur heime?",
        "service_area": "hjemmetjenester", "target_group": "Eldre heimebuande",
        "why": "Vi har mange fall i kommunen og manglar eit felles opplegg.",
        "m": "4631", "start": "2024-03-11", "steps": ["submit", "accept",
            ("merge", "Fallforebygging for hjemmeboende eldre med hjemmetjenester")],
    },
    {
        "title": "Underernæring hos beboere på sykehjem",
        "question": "Hvordan kan vi oppdage og forebygge underernæring hos beboere på sykehjem, og hvilke kartleggingsverktøy bør vi bruke?",
        "population": "Beboere på sykehjem", "intervention": "Systematisk ernæringskartlegging (f.eks. MNA) og ernæringsplan",
        "outcome": "Vekttap, liggesår, livskvalitet", "service_area": "sykehjem", "target_group": "Sykehjemsbeboere",
        "why": "Opptil halvparten av beboerne er i ernæringsmessig risiko, men kartleggingen er tilfeldig.",
        "m": "4601", "start": "2024-04-08",
        "steps": ["submit", "accept", "forward", ("summary", "fhi"), ("publish",
            "Kunnskapsoppsummeringen viser at systematisk kartlegging ved innkomst og deretter hver måned, med et "
            "validert verktøy, fanger opp flere i risiko. Berikning av maten og små mellommåltider øker energiinntaket. "
            "Effekten på dødelighet er usikker. Oppsummeringen anbefaler en fast rutine med ansvarlig ernæringskontakt på hver avdeling.")],
        "endorse": ["5001", "1508", "5501", "1108"],
    },
    {
        "title": "Underernæring på sjukeheim – kartlegging",
        "question": "Korleis kan vi betre kartlegginga av ernæringsstatus hjå bebuarar på sjukeheim?",
        "service_area": "sykehjem", "m": "4630", "start": "2024-05-02",
        "steps": ["submit", ("merge", "Underernæring hos beboere på sykehjem")],
    },
    {
        "title": "Legemiddelgjennomgang for eldre med mange legemidler",
        "question": "Gir strukturert legemiddelgjennomgang færre innleggelser og bivirkninger hos eldre med polyfarmasi i kommunale tjenester?",
        "population": "Eldre som bruker fem eller flere legemidler", "intervention": "Strukturert legemiddelgjennomgang (tverrfaglig)",
        "comparison": "Ingen systematisk gjennomgang", "outcome": "Innleggelser, fall, bivirkninger",
        "service_area": "sykehjem", "target_group": "Eldre med polyfarmasi", "urgency": "high",
        "why": "Polyfarmasi er vanlig, og vi er usikre på hvilken modell for legemiddelgjennomgang som gir mest nytte.",
        "m": "5001", "user": "fou_trondheim", "start": "2024-05-13",
        "steps": ["submit", "accept", "forward", ("national", "Flere regioner har meldt det samme behovet; løftes for å unngå dobbeltarbeid."),
                  ("check", "fhi"), ("answer",
            "Strukturert legemiddelgjennomgang reduserer antall legemidler og uheldige kombinasjoner, men effekten på "
            "innleggelser og dødelighet er usikker (lav til moderat tillit). Gjennomgang der lege, sykepleier og farmasøyt "
            "samarbeider og som følges opp, ser ut til å gi mest. Kommunen bør prioritere beboere med mange legemidler og nylige fall.")],
        "endorse": ["4627", "1508", "3407", "5501", "1103"],
    },
    {
        "title": "Legemiddelgjennomgang i heimetenesta",
        "question": "Kva modell for legemiddelgjennomgang passar for heimetenesta i ein mellomstor kommune?",
        "service_area": "hjemmetjenester", "m": "4626", "user": "helsesykepleier_oygarden", "start": "2024-06-10",
        "steps": ["submit", "accept", "forward", ("merge", "Legemiddelgjennomgang for eldre med mange legemidler")],
    },
    {
        "title": "Ensomhet blant eldre som bor alene",
        "question": "Hvilke tiltak reduserer ensomhet og sosial isolasjon blant eldre som bor alene?",
        "population": "Eldre over 75 år som bor alene", "intervention": "Besøksvenn, aktivitetstilbud, digitale møteplasser",
        "outcome": "Opplevd ensomhet, livskvalitet", "service_area": "folkehelse", "target_group": "Eldre",
        "why": "Ensomhet henger sammen med depresjon og tidlig død, og vi mangler kunnskap om hva som virker lokalt.",
        "m": "1103", "start": "2024-06-17",
        "steps": ["submit", "accept", "forward", ("check", "uib"), ("gap",
            "Kunnskapssjekken fant få studier av god kvalitet, og ingen fra norske kommuner. Kunnskapshull: forslag om et "
            "kontrollert forsøk med besøksvenn og aktivitetstilbud i flere kommuner."), ("project", "Prosjekt «Sammen hjemme» (RSO Vest)")],
        "endorse": ["4601", "4627", "3405", "5532"],
    },
    {
        "title": "Støtte til pårørende til personer med demens",
        "question": "Hvilke former for pårørendestøtte (pårørendeskole, samtalegrupper, avlastning) gir pårørende til personer med demens best hjelp?",
        "population": "Pårørende til hjemmeboende personer med demens", "intervention": "Pårørendeskole og samtalegrupper",
        "comparison": "Avlastning alene", "outcome": "Belastning, depresjon, tid til sykehjemsinnleggelse",
        "service_area": "hjemmetjenester", "target_group": "Pårørende", "m": "3403", "start": "2026-08-24",
        "steps": ["submit", "accept", "forward", ("check", "fhi")],
        "endorse": ["3407", "4627"],
    },
    {
        "title": "Digitalt tilsyn om natten i hjemmetjenesten",
        "kind": "innovation",
        "question": "Vi trenger en løsning for digitalt tilsyn om natten (f.eks. kamera med varsling eller sensorer) som kan erstatte fysiske tilsynsbesøk for brukere som ønsker det.",
        "population": "Hjemmeboende med nattlige tilsyn", "intervention": "Digitalt nattilsyn", "comparison": "Fysisk tilsyn",
        "outcome": "Søvnkvalitet, trygghet, ressursbruk", "service_area": "velferdsteknologi",
        "why": "Fysiske tilsyn vekker brukerne og binder mye personell om natten.",
        "m": "4627", "user": "fou_askoy", "start": "2025-03-03",
        "steps": ["submit", "accept", "forward", ("national", "Flere kommuner i alle regioner har samme behov; egnet for felles innovativ anskaffelse.")],
        "endorse": ["4601", "4626", "5001", "1103", "3403", "1508"],
    },
    {
        "title": "Automatiske medisindispensere for hjemmeboende",
        "kind": "innovation",
        "question": "Hvilke medisindispensere fungerer for hjemmeboende med hjemmesykepleie, og hvordan kan flere kommuner anskaffe dem sammen?",
        "service_area": "velferdsteknologi", "target_group": "Hjemmeboende som får hjelp med legemidler",
        "why": "Mange besøk gjelder bare legemiddelutdeling.", "m": "5001", "user": "fou_trondheim", "start": "2025-09-08",
        "steps": ["submit", "accept", "forward"], "endorse": ["5031", "5028", "1508"],
    },
    {
        "title": "Sensorteknologi for å oppdage fall",
        "kind": "innovation",
        "question": "Kan sensorer i boligen oppdage fall raskere enn trygghetsalarm, og hvilke løsninger finnes på markedet?",
        "service_area": "velferdsteknologi", "m": "4601", "start": "2026-02-09", "steps": ["submit", "accept"],
        "endorse": ["4627"],
    },
    {
        "title": "Digital heimeoppfølging av KOLS-pasientar",
        "kind": "innovation",
        "question": "Vi treng ei løysing for digital heimeoppfølging av pasientar med KOLS, med målingar og kontakt med sjukepleiar.",
        "service_area": "velferdsteknologi", "target_group": "Pasientar med KOLS", "m": "1577", "start": "2025-10-06",
        "steps": ["submit", "accept"], "endorse": ["1508"],
    },
    {
        "title": "GPS og lokaliseringsteknologi for personar med demens",
        "question": "Korleis kan vi ta i bruk GPS for personar med demens på ein trygg og etisk forsvarleg måte?",
        "service_area": "velferdsteknologi", "target_group": "Personar med demens og pårørande",
        "m": "4626", "user": "helsesykepleier_oygarden", "start": "2025-01-13",
        "steps": ["submit", "accept", ("local",
            "Klynga viser til Helsedirektoratet sin rettleiar for velferdsteknologi og erfaringane frå Bergen kommune: "
            "bruk samtykke der det er mogleg, vurder tiltaket etter pasient- og brukarrettslova kapittel 4A når samtykke manglar, "
            "og evaluer bruken kvar tredje månad. Bergen deler rutinane sine med alle kommunane i klynga.")],
    },
    {
        "title": "Hverdagsrehabilitering – hvem har mest nytte?",
        "question": "Hvilke brukere har mest nytte av hverdagsrehabilitering, og varer effekten?",
        "service_area": "rehabilitering", "target_group": "Hjemmeboende med funksjonsfall", "m": "3407", "start": "2024-09-02",
        "steps": ["submit", "accept", "forward", ("check", "fhi"), ("answer",
            "Hverdagsrehabilitering gir litt bedre funksjon og mestring i daglige gjøremål enn vanlige tjenester de første "
            "månedene (moderat tillit). De som nylig har fått funksjonsfall og er motivert, har mest nytte. Effekten etter "
            "ett år er usikker.")],
        "endorse": ["3403", "3405", "1108"],
    },
    {
        "title": "Psykisk helse hjå barn og unge – tiltak i skulehelsetenesta",
        "question": "Kva lågterskeltiltak i skulehelsetenesta hjelper ungdom med angst og depressive plager?",
        "population": "Ungdom 13–16 år", "intervention": "Samtalegrupper og kognitive lågterskeltiltak", "outcome": "Symptom, skulefråvær",
        "service_area": "helsestasjon", "target_group": "Ungdomsskuleelevar",
        "m": "4626", "user": "helsesykepleier_oygarden", "start": "2026-06-01",
        "steps": ["submit", "accept", "forward", ("check", "uib")], "endorse": ["4631", "4601"],
    },
    {
        "title": "Oppfølging av personer med ROP-lidelser i kommunen",
        "question": "Hvilke samhandlingsmodeller gir best oppfølging av personer med samtidig rusmiddelproblem og psykisk lidelse (ROP)?",
        "service_area": "rus_psykisk", "target_group": "Personer med ROP-lidelser", "m": "5501", "start": "2025-05-12",
        "steps": ["submit", "accept", "forward", ("gap",
            "Regionen finner ingen studier av samhandlingsmodeller i små kommuner. Forslag til forskningsprosjekt sammen med UiT.")],
        "endorse": ["5532", "3403"],
    },
    {
        "title": "Triage på legevakt – hvilket system er tryggest?",
        "question": "Hvilket triagesystem gir tryggest prioritering på kommunal legevakt?",
        "service_area": "legevakt", "m": "1508", "start": "2026-03-02",
        "steps": ["submit", "accept", "forward", ("summary", "ntnu")], "endorse": ["1577", "5001"],
    },
    {
        "title": "Palliasjon i heimen – kompetanse i heimetenesta",
        "question": "Korleis kan heimetenesta sikre god lindrande behandling for pasientar som ønskjer å døy heime?",
        "service_area": "palliasjon", "m": "1577", "start": "2026-10-05", "steps": ["submit", "accept"],
    },
    {
        "title": "Bruk av tvang overfor personer med demens på sykehjem",
        "question": "Hvordan tolker andre kommuner reglene om tvang i kapittel 4A, og hvilke rutiner har de?",
        "service_area": "sykehjem", "m": "1108", "start": "2025-02-03",
        "steps": ["submit", ("reject",
            "Spørsmålet gjelder tolkning av regelverk og ikke et kunnskapsbehov. Klyngen viser til statsforvalteren og "
            "Helsedirektoratets rundskriv om kapittel 4A.")],
    },
    {
        "title": "Smittevern på sykehjem – hva virker mot utbrudd?",
        "question": "Hvilke smitteverntiltak forebygger utbrudd av luftveisinfeksjoner på sykehjem?",
        "service_area": "sykehjem", "m": "5031", "start": "2024-11-04",
        "steps": ["submit", "accept", "forward", ("check", "fhi"), ("answer",
            "God håndhygiene, rask isolering av syke beboere og vaksinasjon av ansatte og beboere har best dokumentasjon. "
            "Munnbind ved utbrudd kan redusere smitte (lav tillit). FHI sin smittevernveileder for sykehjem beskriver rutinene.")],
        "endorse": ["5001", "4601", "3403"],
    },
    {
        "title": "Tannhelse hos eldre som får hjemmetjenester",
        "question": "Hvordan kan hjemmetjenesten bidra til bedre munn- og tannhelse hos eldre?",
        "service_area": "hjemmetjenester", "m": "3405", "start": "2026-11-10", "steps": ["submit"],
    },
    {
        "title": "Oppfølging av KOLS-pasienter etter sykehusopphold",
        "question": "Hva bør kommunen gjøre de første ukene etter utskriving for å hindre reinnleggelse av pasienter med KOLS?",
        "service_area": "hjemmetjenester", "m": "5028", "start": "2026-10-12",
        "steps": ["submit", ("clarify", "Gjelder spørsmålet alle KOLS-pasienter eller bare dem med hyppige forverringer?")],
    },
    {
        "title": "Behandling av leggsår i hjemmetjenesten",
        "question": "Hvilke sårbehandlingsmetoder gir raskest tilheling av leggsår hos hjemmeboende?",
        "service_area": "hjemmetjenester", "m": "4627", "user": "sykepleier_askoy", "start": "2026-11-16", "steps": [],
    },
    {
        "title": "Søvnvanskar hjå ungdom",
        "question": "Kva råd og tiltak kan helsesjukepleiar gi ungdom med søvnvanskar?",
        "service_area": "helsestasjon", "m": "4626", "user": "helsesykepleier_oygarden", "start": "2026-11-18", "steps": [],
    },
    {
        "title": "Videokonsultasjon med nettbrett i hjemmetjenesten",
        "question": "Kan videokonsultasjon via nettbrett erstatte noen fysiske besøk i hjemmetjenesten?",
        "service_area": "hjemmetjenester", "m": "4627", "user": "sykepleier_askoy", "start": "2025-04-07",
        "steps": ["submit", ("withdraw", "Kommunen har fått svar gjennom et pågående prosjekt i Bergen.")],
    },
    {
        "title": "Fysisk aktivitet for beboere på sykehjem",
        "question": "Hvilke aktivitetstilbud bedrer funksjon og livskvalitet hos beboere på sykehjem?",
        "service_area": "sykehjem", "m": "1103", "start": "2026-05-04", "steps": ["submit", "accept", "forward"],
        "endorse": ["1108"],
    },
    {
        "title": "Forebygging av selvmord blant eldre",
        "question": "Hvilke tiltak i kommunale tjenester kan forebygge selvmord blant eldre?",
        "service_area": "rus_psykisk", "m": "3403", "start": "2025-11-03", "urgency": "high",
        "steps": ["submit", "accept", "forward", ("national", "Behovet er meldt fra flere regioner og krever en nasjonal kunnskapsoppsummering.")],
        "endorse": ["5001", "4601"],
    },
    {
        "title": "Gode overganger fra sykehus til kommune",
        "question": "Hvilke rutiner sikrer trygg overføring av eldre pasienter fra sykehus til kommunale tjenester?",
        "service_area": "hjemmetjenester", "m": "5532", "start": "2024-08-12",
        "steps": ["submit", "accept", ("local",
            "Tromsø kommune har et etablert pakkeforløp hjem med fast kontaktperson og telefon dagen etter utskriving. "
            "Klyngen deler sjekklisten og anbefaler at alle kommunene i klyngen tar den i bruk.")],
    },
    {
        "title": "Vold i nære relasjoner – avdekking på helsestasjonen",
        "question": "Hvordan kan helsestasjonen spørre rutinemessig om vold i nære relasjoner på en trygg måte?",
        "service_area": "helsestasjon", "m": "4601", "start": "2026-11-02", "steps": ["submit"],
    },
    {
        "title": "Tidlig oppdagelse av forverring hos sykehjemsbeboere",
        "question": "Bidrar observasjonsverktøy som NEWS2 til at forverring hos sykehjemsbeboere oppdages tidligere?",
        "service_area": "sykehjem", "m": "1108", "start": "2025-04-14",
        "steps": ["submit", "accept", "forward", ("check", "uib"), ("answer",
            "Systematisk bruk av observasjonsverktøy kombinert med opplæring gjør at forverring oftere oppdages og meldes "
            "til lege (moderat tillit). Det er usikkert om det reduserer innleggelser. Verktøyet må tilpasses beboere med "
            "kroniske avvik i vitale tegn.")],
        "endorse": ["1103", "4627"],
    },
    {
        "title": "Aktivitetsvenn for personer med demens",
        "question": "Gir ordningen med aktivitetsvenn bedre livskvalitet for hjemmeboende personer med demens?",
        "service_area": "hjemmetjenester", "m": "5001", "user": "fou_trondheim", "start": "2024-01-15",
        "steps": ["submit", "accept", "forward", ("gap", "Ingen kontrollerte studier; forslag om følgeforskning i Trondheimsregionen."),
                  ("project", "Følgeforskning aktivitetsvenn (NTNU)"), ("results",
            "Følgeforskningen viser at personer med demens som fikk aktivitetsvenn, var mer fysisk aktive og rapporterte "
            "bedre livskvalitet etter seks måneder. Pårørende opplevde avlastning. Resultatene er publisert og deles med alle kommuner.")],
        "endorse": ["5031", "5028", "3403", "4601"],
    },
]


def _when(start: str, index: int) -> dt.datetime:
    day = dt.date.fromisoformat(start) + dt.timedelta(days=sum(GAPS[: index + 1]))
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=OSLO)
    latest = timezone.now() - dt.timedelta(hours=12 - index)
    return min(moment, latest)


def _member(username: str, full_name: str, org: Organisation, role: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name, "email": ""})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organisation=org, role=role)
    return user


def _reporter(world: Any, number: str) -> User:
    for key in ("sykepleier_askoy", "helsesykepleier_oygarden", "fou_trondheim"):
        user = world.users.get(key)
        if user is not None and number in _numbers(user):
            return user
    org = Organisation.objects.get(kind=OrgKind.MUNICIPALITY, municipality_number=number)
    return _member(f"melder.{number}", f"Demo-melder ({org.name})", org, Role.REPORTER)


def _numbers(user: User) -> set[str]:
    numbers = Organisation.objects.filter(pk__in=actor_for(user).municipality_ids).values_list("municipality_number", flat=True)
    return {n for n in numbers if n}


def _helpers(world: Any) -> list[User]:
    """Coordinators for clusters and regions that have no persona, so every demo need can move."""
    users = []
    for cluster in Organisation.objects.filter(kind=OrgKind.CLUSTER).exclude(memberships__role=Role.CLUSTER_COORDINATOR):
        users.append(_member(f"koordinator.{cluster.slug}", f"Demo-koordinator ({cluster.name})", cluster, Role.CLUSTER_COORDINATOR))
    for body in Organisation.objects.filter(kind=OrgKind.REGIONAL_BODY).exclude(memberships__role=Role.REGIONAL_COORDINATOR):
        users.append(_member(f"regionkoordinator.{body.slug}", f"Demo-regionkoordinator ({body.name})", body, Role.REGIONAL_COORDINATOR))
    return users


def _actor(world: Any, need: Need, to: str, candidates: list[User]) -> User:
    transition = get_transition(need.status, to)
    if transition is None:
        raise ValueError(f"{need.public_id}: {need.status} → {to} is not in the table")
    for user in candidates:
        if hasattr(user, "_ksf_actor"):
            del user._ksf_actor
        if levels_for(actor_for(user), need) & transition.levels:
            return user
    raise ValueError(f"{need.public_id}: nobody may do {need.status} → {to}")


@transaction.atomic
def load(world: Any) -> str:
    existing = set(Need.objects.filter(title__in=[n["title"] for n in NEEDS]).values_list("title", flat=True))
    if len(existing) == len(NEEDS):
        return f"{len(NEEDS)} demobehov finnes allerede"
    partners = {o.slug: o for o in Organisation.objects.filter(kind=OrgKind.RESEARCH_PARTNER)}
    coordinators = [
        world.koordinator_bergen, world.koordinator_trondheim, world.regionkoordinator_vest, world.regionkoordinator_midt,
        *_helpers(world),
    ]
    partner_users = {"fhi": world.forsker_fhi, "uib": world.bibliotekar_uib}
    created = 0
    for spec in NEEDS:
        if spec["title"] in existing:
            continue
        submitter = world.users[spec["user"]] if spec.get("user") else _reporter(world, spec["m"])
        municipality = Organisation.objects.get(kind=OrgKind.MUNICIPALITY, municipality_number=spec["m"])
        data = {
            "title": spec["title"], "question": spec["question"], "service_area": spec["service_area"],
            "kind": spec.get("kind", "knowledge"), "urgency": spec.get("urgency", "medium"),
            "target_group": spec.get("target_group", ""), "why_it_matters": spec.get("why", ""),
            **{k: spec.get(k, "") for k in ("population", "intervention", "comparison", "outcome")},
        }
        need = services.need_create(user=submitter, municipality=municipality, data=data, when=_when(spec["start"], 0), notify=False)
        for index, step in enumerate(spec["steps"], start=1):
            name, arg = (step, "") if isinstance(step, str) else step
            to = STEP_STATUS[name]
            when = _when(spec["start"], index)
            kwargs: dict[str, Any] = {}
            if name in ("check", "summary"):
                kwargs = {"partner": partners[arg], "due": (when + dt.timedelta(days=60)).date()}
            elif name in ("answer", "publish", "local", "results"):
                kwargs = {"answer": arg}
            elif name == "merge":
                kwargs = {"target": Need.objects.get(title=arg)}
            elif name == "project":
                kwargs = {"project_ref": arg, "reason": arg}
            elif arg:
                kwargs = {"reason": arg}
            candidates = [submitter]
            if need.assigned_partner and need.assigned_partner.slug in partner_users:
                candidates.append(partner_users[need.assigned_partner.slug])
            candidates += [*coordinators, world.nasjonal_ks]
            if name == "merge" and kwargs["target"].region_id != need.region_id:
                candidates = [world.nasjonal_ks]  # duplicates across regions are merged nationally
            user = _actor(world, need, to, candidates)
            need = services.need_transition(need=need, user=user, to=to, when=when, notify=False, **kwargs)
        if need.published_at and need.status != S.MERGED:
            for offset, number in enumerate(spec.get("endorse", []), start=1):
                endorser = _reporter(world, number)
                try:
                    endorsement = services.need_endorse(need=need, user=endorser, municipality=Organisation.objects.get(
                        kind=OrgKind.MUNICIPALITY, municipality_number=number))
                except (ValidationError, PermissionDenied):  # e.g. already carried over by a merge
                    endorsement = None
                if endorsement is None:
                    continue
                moment = min(need.published_at + dt.timedelta(days=3 * offset), timezone.now())
                Endorsement.objects.filter(pk=endorsement.pk).update(created_at=moment)
        created += 1
    return f"{created} demobehov lagt inn ({len(NEEDS)} i alt)"
