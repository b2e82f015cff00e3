"""The organisation structure and persona users shared by the demo and the tests.

`build_world()` is idempotent: it creates clusters, regional bodies (RSO), the national
node, research partners, a hospital trust and a supplier, and one user per persona. The
demo loader gives them a known password (see README); tests use them as fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from ksf.accounts.models import Membership, Role, User
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

DEMO_PASSWORD = "demo-passord-2026"

# name, slug, motorkommune number, member numbers
CLUSTERS = [
    ("Bergensklyngen", "bergensklyngen", "4601", ["4601", "4627", "4626", "4631", "4624", "4630", "4628"]),
    ("Trondheimsregionen", "trondheimsregionen", "5001", ["5001", "5031", "5028", "5029", "5035"]),
    ("Tromsø-klyngen", "tromso-klyngen", "5501", ["5501", "5532", "5534"]),
    ("Stavangerklyngen", "stavangerklyngen", "1103", ["1103", "1108"]),
    ("Innlandsklyngen", "innlandsklyngen", "3403", ["3403", "3405", "3407"]),
    ("Sunnmørsklyngen", "sunnmorsklyngen", "1508", ["1508", "1577"]),
]
REGIONAL_BODIES = {
    "vest": ("RSO Vest", "rso-vest"),
    "midt": ("RSO Midt-Norge", "rso-midt"),
    "nord": ("RSO Nord", "rso-nord"),
    "sorost": ("RSO Sør-Øst", "rso-sorost"),
}
PARTNERS = [
    ("Folkehelseinstituttet (FHI)", "fhi", "983744516"),
    ("Universitetet i Bergen", "uib", "874789542"),
    ("USHT Vestland", "usht-vestland", ""),
    ("NTNU", "ntnu", "974767880"),
]


@dataclass
class World:
    users: dict[str, User]
    orgs: dict[str, Organisation]

    def __getattr__(self, name: str) -> Any:
        if name in self.users:
            return self.users[name]
        if name in self.orgs:
            return self.orgs[name]
        raise AttributeError(name)


# username, full name, role, organisation key
PERSONAS = [
    ("sykepleier.askoy", "Siri Sykepleier (hjemmetjenesten, Askøy)", Role.REPORTER, "askoy"),
    ("fou.askoy", "Frode FoU-kontakt (Askøy)", Role.MUNICIPAL_CONTACT, "askoy"),
    ("helsesykepleier.oygarden", "Hilde Helsesykepleier (Øygarden)", Role.REPORTER, "oygarden"),
    ("fou.trondheim", "Trude FoU-kontakt (Trondheim)", Role.MUNICIPAL_CONTACT, "trondheim"),
    ("koordinator.bergen", "Kari Klyngekoordinator (Bergen)", Role.CLUSTER_COORDINATOR, "bergensklyngen"),
    ("koordinator.trondheim", "Tor Klyngekoordinator (Trondheim)", Role.CLUSTER_COORDINATOR, "trondheimsregionen"),
    ("regionkoordinator.vest", "Rune Regional koordinator (RSO Vest)", Role.REGIONAL_COORDINATOR, "rso-vest"),
    ("regionkoordinator.midt", "Randi Regional koordinator (RSO Midt-Norge)", Role.REGIONAL_COORDINATOR, "rso-midt"),
    ("forsker.fhi", "Frida Forsker (FHI)", Role.RESEARCH_PARTNER, "fhi"),
    ("bibliotekar.uib", "Bjørn Bibliotekar (UiB)", Role.RESEARCH_PARTNER, "uib"),
    ("nasjonal.ks", "Nina Nasjonal koordinator (KS)", Role.NATIONAL_COORDINATOR, "nasjonal-node"),
    ("leverandor", "Lars Leverandør (Trygghetsteknologi AS)", Role.SUPPLIER, "trygghetsteknologi"),
    ("admin", "Ada Administrator", Role.ADMINISTRATOR, "nasjonal-node"),
    ("utenforstaende.tromso", "Ulf Utenforstående (Tromsø)", Role.REPORTER, "tromso"),
]
MUNICIPALITY_KEYS = {"askoy": "4627", "oygarden": "4626", "trondheim": "5001", "tromso": "5501", "bergen": "4601"}


def _org(kind: str, name: str, slug: str, **extra: Any) -> Organisation:
    org, _ = Organisation.objects.update_or_create(slug=slug, defaults={"kind": kind, "name": name, **extra})
    return org


@transaction.atomic
def build_world(*, password: str | None = None) -> World:
    regions = {r.code: r for r in HealthRegion.objects.all()}
    munis = {m.municipality_number: m for m in Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)}
    orgs: dict[str, Organisation] = {key: munis[number] for key, number in MUNICIPALITY_KEYS.items()}
    for name, slug, motor, members in CLUSTERS:
        motor_org = munis[motor]
        cluster = _org(OrgKind.CLUSTER, name, slug, region=motor_org.region, motorkommune=motor_org, county=motor_org.county)
        cluster.members.set([munis[n] for n in members])
        orgs[slug] = cluster
    for code, (name, slug) in REGIONAL_BODIES.items():
        orgs[slug] = _org(OrgKind.REGIONAL_BODY, name, slug, region=regions[code])
    orgs["nasjonal-node"] = _org(OrgKind.NATIONAL_NODE, "Nasjonal node for KSF (KS)", "nasjonal-node")
    for name, slug, orgnr in PARTNERS:
        region = regions["midt"] if slug == "ntnu" else (regions["vest"] if slug in ("uib", "usht-vestland") else None)
        orgs[slug] = _org(OrgKind.RESEARCH_PARTNER, name, slug, org_number=orgnr, region=region)
    orgs["helse-bergen"] = _org(OrgKind.HOSPITAL, "Helse Bergen HF", "helse-bergen", org_number="983974724", region=regions["vest"])
    orgs["trygghetsteknologi"] = _org(OrgKind.SUPPLIER, "Trygghetsteknologi AS", "trygghetsteknologi", org_number="")

    hashed = make_password(password) if password else None
    users: dict[str, User] = {}
    for username, full_name, role, org_key in PERSONAS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "email": f"{username}@example.no"},
        )
        if hashed and (created or not user.password or not user.has_usable_password()):
            user.password = hashed
        if role == Role.ADMINISTRATOR:
            user.is_staff = True
            user.is_superuser = True
        user.save()
        Membership.objects.get_or_create(user=user, organisation=orgs[org_key], role=role)
        users[username.replace(".", "_")] = user
    return World(users=users, orgs={k.replace("-", "_"): v for k, v in orgs.items()})


def load_world() -> World:
    """The persona world as it is in the database (built once per test database), or build it."""
    usernames = [p[0] for p in PERSONAS]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) != len(usernames) or not Organisation.objects.filter(slug="bergensklyngen").exists():
        return build_world()
    org_keys = set(MUNICIPALITY_KEYS) | {c[1] for c in CLUSTERS} | {s for _, s in REGIONAL_BODIES.values()}
    org_keys |= {p[1] for p in PARTNERS} | {"nasjonal-node", "helse-bergen", "trygghetsteknologi"}
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=org_keys - set(MUNICIPALITY_KEYS))}
    numbers = {o.municipality_number: o for o in Organisation.objects.filter(municipality_number__in=MUNICIPALITY_KEYS.values())}
    for key, number in MUNICIPALITY_KEYS.items():
        orgs[key] = numbers[number]
    return World(
        users={name.replace(".", "_"): users[name] for name in usernames},
        orgs={k.replace("-", "_"): v for k, v in orgs.items()},
    )
