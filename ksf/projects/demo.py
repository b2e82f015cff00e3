"""Demo projects (idempotent): ~10 generic, realistic projects in Vestland, Trøndelag, Tromsø
and Innlandet, with funding, user participation (also one "none" and one "not reported"),
and links to demo needs so a need can be followed to its project and results.

No real Cristin ids are claimed: `cristin_id` stays blank.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ksf.needs.models import Need
from ksf.needs.services import need_create, need_transition
from ksf.needs.workflow import Status as NeedStatus
from ksf.organisations.models import Organisation, OrgKind

from . import services
from .models import Project
from .selectors import resolve_organisation
from .services import FundingRow, ParticipationRow

P = ParticipationRow

# Two needs walked here from Askøy to «research proposal», then linked to the first two projects.
DEMO_NEEDS = [
    {
        "title": "Tidlig oppdagelse av forverring hos eldre i hjemmesykepleien",
        "question": "Hvilke enkle verktøy hjelper hjemmesykepleien å oppdage tidlig at en eldre bruker er i ferd med "
                    "å bli alvorlig syk, slik at innleggelser kan unngås?",
        "service_area": "hjemmetjenester",
        "population": "Hjemmeboende eldre med hjemmesykepleie",
        "intervention": "Strukturert observasjon med skåringsverktøy (f.eks. NEWS2)",
        "comparison": "Vanlig praksis",
        "outcome": "Sykehusinnleggelser, død, opplevd trygghet",
    },
    {
        "title": "Medisindispensere og feil i legemiddelhåndteringen hjemme",
        "question": "Gir elektroniske medisindispensere færre feil og mindre tidsbruk i legemiddelhåndteringen for "
                    "hjemmeboende brukere enn manuell dosett?",
        "service_area": "velferdsteknologi",
        "population": "Hjemmeboende brukere med faste legemidler",
        "intervention": "Elektronisk medisindispenser",
        "comparison": "Manuell dosett",
        "outcome": "Avvik i legemiddelhåndteringen, tidsbruk, brukertilfredshet",
    },
]

# key, creator, owner, leader, partners, municipalities, kind, status, start, end, areas, keywords,
# funding, participation state, rows, summary
PROJECTS: list[dict[str, Any]] = [
    {
        "key": "forverring", "user": "fou_askoy", "owner": "askoy", "leader": "askoy",
        "partners": ["uib", "usht_vestland"], "municipalities": ["4627", "4626", "4601"],
        "title": "Tidlig oppdagelse av forverring hos hjemmeboende eldre – strukturert observasjon i hjemmesykepleien",
        "kind": "research", "status": "ongoing", "start": "2025-02-01", "end": "2027-12-31",
        "areas": ["hjemmetjenester"], "keywords": ["NEWS2", "akutt forverring", "eldre", "hjemmesykepleie"],
        "funding": [("regionale_forskningsfond", 2_400_000, "RFF Vestland"), ("egenandel", 600_000, "")],
        "state": "participation",
        "rows": [P("identify", "adviser", "user_organisations"), P("design", "adviser", "next_of_kin"),
                 P("disseminate", "representative", "user_organisations")],
        "summary": "Mange eldre som får hjemmesykepleie blir innlagt på sykehus med tilstander som kunne vært oppdaget "
                   "tidligere. Prosjektet prøver ut en enkel, strukturert måte å observere og skåre vitale tegn på i "
                   "hjemmet, og undersøker om det gir færre uplanlagte innleggelser og tryggere brukere.",
        "need": 0,
    },
    {
        "key": "dispenser", "user": "koordinator_bergen", "owner": "bergen", "leader": "bergen",
        "partners": ["trygghetsteknologi", "helse_bergen"], "municipalities": ["4601", "4627", "4631"],
        "title": "Trygg medisinering hjemme – utprøving av elektroniske medisindispensere",
        "kind": "innovation", "status": "completed", "start": "2022-03-01", "end": "2024-06-30",
        "areas": ["velferdsteknologi", "hjemmetjenester"], "keywords": ["medisindispenser", "legemiddelhåndtering"],
        "funding": [("pilot_helse", 3_000_000, ""), ("egenandel", 1_200_000, "")],
        "state": "participation",
        "rows": [P("conduct", "co_researcher", "patients"), P("analyse", "adviser", "patients"),
                 P("design", "adviser", "next_of_kin")],
        "summary": "Kommunene i Bergensklyngen prøvde ut elektroniske medisindispensere hos hjemmeboende brukere. "
                   "Prosjektet målte avvik, tidsbruk og hvordan brukere og pårørende opplevde løsningen.",
        "results": "Brukerne som fikk medisindispenser hadde færre registrerte avvik (glemte eller doble doser) enn "
                   "før utprøvingen, og hjemmesykepleien brukte mindre tid på korte medisinbesøk. De fleste brukerne "
                   "opplevde løsningen som trygg, men den passer dårlig for personer med kognitiv svikt uten pårørende "
                   "i nærheten. Kommunene anbefaler en strukturert vurdering før tildeling.",
        "need": 1,
    },
    {
        "key": "ernaering", "user": "bibliotekar_uib", "owner": "oygarden", "leader": "uib",
        "partners": ["usht_vestland"], "municipalities": ["4626", "4624"],
        "title": "Måltidsglede og ernæring på sykehjem – en klyngerandomisert studie",
        "kind": "research", "status": "ongoing", "start": "2024-08-15", "end": "2027-06-30",
        "areas": ["sykehjem"], "keywords": ["ernæring", "underernæring", "måltid"],
        "funding": [("forskningsradet", 8_000_000, ""), ("egenandel", 400_000, "")],
        "state": "none", "rows": [],
        "summary": "Studien undersøker om et opplegg med felles måltider, tilpasset mat og opplæring av ansatte gir "
                   "bedre ernæringsstatus hos beboere på sykehjem.",
    },
    {
        "key": "utskrivning", "user": "fou_trondheim", "owner": "trondheim", "leader": "trondheim",
        "partners": ["ntnu"], "municipalities": ["5001", "5031", "5028"],
        "title": "Gode overganger – samhandling ved utskrivning fra sykehus til kommune",
        "kind": "research", "status": "ongoing", "start": "2024-01-01", "end": "2026-12-31",
        "areas": ["hjemmetjenester", "rehabilitering"], "keywords": ["samhandling", "utskrivning", "pasientforløp"],
        "funding": [("forskningsradet", 4_000_000, ""), ("rhf", 1_500_000, "Helse Midt-Norge")],
        "state": "participation",
        "rows": [P("identify", "co_researcher", "patients"), P("design", "co_researcher", "next_of_kin"),
                 P("analyse", "co_researcher", "patients"), P("disseminate", "co_researcher", "user_organisations")],
        "summary": "Prosjektet følger eldre pasienter fra utskrivning til de er hjemme igjen, og utvikler sammen med "
                   "pasienter og pårørende en sjekkliste for gode overganger mellom sykehus og kommune.",
    },
    {
        "key": "kols", "user": "koordinator_trondheim", "owner": "5031", "leader": "trondheim",
        "partners": ["trygghetsteknologi"], "municipalities": ["5031", "5001"],
        "title": "Digital hjemmeoppfølging av personer med kols",
        "kind": "innovation", "status": "ongoing", "start": "2025-04-01", "end": "2026-09-30",
        "areas": ["velferdsteknologi"], "keywords": ["kols", "digital hjemmeoppfølging", "avstandsoppfølging"],
        "funding": [("pilot_helse", 2_200_000, ""), ("egenandel", 500_000, "")],
        "state": "participation", "rows": [P("conduct", "representative", "patients"), P("design", "other", "user_organisations")],
        "summary": "Personer med kols måler selv oksygenmetning og symptomer hjemme og følges opp av en "
                   "oppfølgingstjeneste. Prosjektet prøver ut organiseringen i to kommuner.",
    },
    {
        "key": "legevakt", "user": "nasjonal_ks", "owner": "tromso", "leader": "tromso",
        "partners": ["fhi"], "municipalities": ["5501", "5532", "5534"],
        "title": "Legevakt i distriktet – kompetanse og beslutningsstøtte for sykepleiere",
        "kind": "research", "status": "planned", "start": "2026-09-01", "end": "2028-08-31",
        "areas": ["legevakt"], "keywords": ["legevakt", "triage", "distrikt"],
        "funding": [("regionale_forskningsfond", 1_200_000, "RFF Arktis")],
        "state": "not_reported", "rows": [],
        "summary": "Sykepleiere på legevakt i distriktskommuner tar ofte selvstendige vurderinger. Prosjektet skal "
                   "kartlegge behovet for beslutningsstøtte og prøve ut et opplæringsopplegg.",
    },
    {
        "key": "ungdom", "user": "nasjonal_ks", "owner": "3403", "leader": "3403",
        "partners": [], "municipalities": ["3403", "3405"],
        "title": "Lavterskeltilbud for psykisk helse i skolehelsetjenesten",
        "kind": "research", "status": "ongoing", "start": "2025-01-01", "end": "2026-12-31",
        "areas": ["helsestasjon", "rus_psykisk"], "keywords": ["ungdom", "psykisk helse", "lavterskel"],
        "funding": [("regionale_forskningsfond", 1_800_000, "RFF Innlandet"), ("egenandel", 300_000, "")],
        "state": "participation",
        "rows": [P("identify", "adviser", "patients"), P("design", "adviser", "user_organisations"),
                 P("disseminate", "adviser", "patients")],
        "summary": "Ungdom med lette psykiske plager får samtaler med helsesykepleier uten henvisning. Prosjektet "
                   "undersøker hvem som bruker tilbudet og hva de får ut av det.",
    },
    {
        "key": "slag", "user": "nasjonal_ks", "owner": "3407", "leader": "3407",
        "partners": ["ntnu"], "municipalities": ["3407", "3403"],
        "title": "Hverdagsrehabilitering etter hjerneslag",
        "kind": "research", "status": "completed", "start": "2021-09-01", "end": "2024-08-31",
        "areas": ["rehabilitering"], "keywords": ["hverdagsrehabilitering", "hjerneslag"],
        "funding": [("eu", 5_200_000, "Europeisk samarbeidsprosjekt"), ("egenandel", 800_000, "")],
        "state": "participation", "rows": [P("conduct", "other", "next_of_kin"), P("analyse", "representative", "user_organisations")],
        "summary": "Et tverrfaglig team ga tidsavgrenset, målrettet rehabilitering i hjemmet etter hjerneslag. "
                   "Prosjektet sammenlignet funksjon og livskvalitet med vanlig oppfølging.",
    },
    {
        "key": "lindrende", "user": "forsker_fhi", "owner": "fhi", "leader": "fhi",
        "partners": ["uib", "ntnu"], "municipalities": ["4601", "5001", "5501"],
        "title": "Lindrende behandling i livets sluttfase på sykehjem – kunnskapsstøtte til ansatte",
        "kind": "research", "status": "ongoing", "start": "2025-06-01", "end": "2027-05-31",
        "areas": ["palliasjon", "sykehjem"], "keywords": ["palliasjon", "livets sluttfase", "kompetanse"],
        "funding": [("annet", 900_000, "Tilskudd fra Helsedirektoratet")],
        "state": "participation",
        "rows": [P("analyse", "adviser", "next_of_kin"), P("disseminate", "adviser", "next_of_kin")],
        "summary": "Prosjektet sammenstiller kunnskap om lindrende behandling på sykehjem og lager korte, praktiske "
                   "kunnskapsstøtter for ansatte, utviklet sammen med pårørende.",
    },
    {
        "key": "fall", "user": "koordinator_bergen", "owner": "4631", "leader": "4631",
        "partners": ["trygghetsteknologi"], "municipalities": ["4631"],
        "title": "Sensorteknologi for å forebygge fall på sykehjem",
        "kind": "innovation", "status": "stopped", "start": "2023-01-01", "end": "2024-03-31",
        "areas": ["sykehjem", "velferdsteknologi"], "keywords": ["fall", "sensor", "sykehjem"],
        "funding": [("egenandel", 350_000, "")],
        "state": "participation", "rows": [P("design", "representative", "user_organisations")],
        "summary": "Utprøving av sensorer som varsler når en beboer står opp om natten. Prosjektet ble stanset fordi "
                   "leverandørens løsning ikke lot seg integrere med kommunens pasientvarslingsanlegg.",
    },
]


def _org(world: Any, key: str) -> Organisation:
    if key in world.orgs:
        return world.orgs[key]
    org = resolve_organisation(key)
    assert org is not None, key
    return org


def _demo_needs(world: Any) -> list[Need]:
    """The two needs followed to projects here, walked through the workflow once (found by title after)."""
    needs = []
    for data in DEMO_NEEDS:
        need = Need.objects.filter(title=data["title"]).order_by("pk").first()
        if need is None:
            need = need_create(user=world.sykepleier_askoy, data=data, submit=True)
            need = need_transition(need=need, user=world.koordinator_bergen, to=NeedStatus.CLUSTER_REVIEW)
            need = need_transition(need=need, user=world.koordinator_bergen, to=NeedStatus.FORWARDED)
            need = need_transition(
                need=need, user=world.regionkoordinator_vest, to=NeedStatus.RESEARCH_PROPOSAL,
                reason="Kunnskapssjekken fant ingen oppsummert forskning som svarer på spørsmålet for kommunale tjenester.",
            )
        needs.append(need)
    return needs


def _companion_projects(world: Any) -> int:
    """Needs from the needs demo that are already «in project» or «results published» get the project
    they point to, so every such need can be followed into the registry. Needs still in «research
    proposal» are left for a coordinator to link in the browser."""
    partner_by_region = {"vest": "uib", "midt": "ntnu"}
    created = 0
    waiting = Need.objects.filter(
        status__in=[NeedStatus.IN_PROJECT, NeedStatus.RESULTS_PUBLISHED], projects__isnull=True
    ).select_related("municipality", "region").order_by("pk")
    for number, need in enumerate(waiting):
        done = need.status == NeedStatus.RESULTS_PUBLISHED
        user = world.nasjonal_ks
        leader = world.orgs[partner_by_region.get(need.region.code, "fhi")]
        start = dt.date(2024 + number % 2, 1 + (number * 4) % 12, 1)
        project = services.project_create(
            user=user,
            data={
                "title": f"{need.title} – forskningsprosjekt",
                "summary": f"Prosjektet ble satt i gang for å svare på kunnskapsbehovet {need.public_id} fra "
                           f"{need.municipality.name}: {need.question[:600]}",
                "kind": "innovation" if need.kind == "innovation" else "research",
                "status": "completed" if done else "ongoing",
                "start_date": start, "end_date": start.replace(year=start.year + 2),
                "owner": need.municipality, "leader": leader, "partners": [], "municipalities": [need.municipality],
                "keywords": [], "service_areas": [need.service_area], "is_published": True,
            },
            funding=[FundingRow(source="regionale_forskningsfond", amount=900_000 + 150_000 * number),
                     FundingRow(source="egenandel", amount=200_000)],
            participation_state="participation",
            participation=[P("identify", "adviser", "user_organisations"), P(("analyse", "conduct")[number % 2],
                           ("co_researcher", "representative")[number % 2], ("patients", "next_of_kin")[number % 2])],
        )
        services.project_link_need(project=project, user=user, need=need)
        if done:
            services.project_publish_results(
                project=project, user=user, results=(need.answer or "Resultatene er publisert.")[: services.MAX_RESULTS]
            )
        created += 1
    return created


@transaction.atomic
def load(world: Any) -> str:
    needs = _demo_needs(world)
    created = 0
    for spec in PROJECTS:
        if Project.objects.filter(title=spec["title"]).exists():
            continue
        user = world.users[spec["user"]]
        municipalities = list(
            Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, municipality_number__in=spec["municipalities"])
        )
        project = services.project_create(
            user=user,
            data={
                "title": spec["title"], "summary": spec["summary"], "kind": spec["kind"], "status": spec["status"],
                "start_date": dt.date.fromisoformat(spec["start"]), "end_date": dt.date.fromisoformat(spec["end"]),
                "owner": _org(world, spec["owner"]), "leader": _org(world, spec["leader"]),
                "partners": [_org(world, k) for k in spec["partners"]], "municipalities": municipalities,
                "keywords": spec["keywords"], "service_areas": spec["areas"], "is_published": True,
            },
            funding=[FundingRow(source=s, amount=a, note=n) for s, a, n in spec["funding"]],
            participation_state=spec["state"],
            participation=spec["rows"],
        )
        index = spec.get("need")
        if index is not None:
            services.project_link_need(project=project, user=user, need=needs[index])
        if spec.get("results"):
            services.project_publish_results(project=project, user=user, results=spec["results"])
        created += 1
    companions = _companion_projects(world)
    return (f"{created} nye prosjekter ({Project.objects.count()} i alt), {companions} prosjekter for behov "
            f"som allerede var i prosjekt")
