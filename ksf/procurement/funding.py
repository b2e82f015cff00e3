"""Funding and support relevant in each LUP phase: static, translatable information.

Shown on the initiative page for its current phase and on the list page. The texts describe
the schemes in general terms; the links go to the schemes' own pages for current terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .phases import Phase


@dataclass(frozen=True)
class Support:
    name: Promise | str
    text: Promise | str
    url: str


LUP = Support(
    _("Nasjonalt program for leverandørutvikling (LUP)"),
    _("Gir veiledning i metoden for innovative anskaffelser – behovsavklaring, markedsdialog og "
      "konkurranse – og kan gi støtte til kommuner og helseforetak som gjennomfører dem."),
    "https://innovativeanskaffelser.no/",
)
PILOT_HELSE = Support(
    _("Pilot Helse (Norges forskningsråd og Innovasjon Norge)"),
    _("Støtter utprøving av nye løsninger i helse- og omsorgstjenesten i samarbeid mellom "
      "offentlige virksomheter og næringslivet."),
    "https://www.forskningsradet.no/",
)
REGIONAL_NETWORKS = Support(
    _("Regionale innovasjonsnettverk"),
    _("Regionale nettverk for innovasjon i helse og omsorg (for eksempel i regi av USHT, "
      "fylkeskommunen eller KS) gir råd, kobler kommuner som vil samarbeide og deler erfaringer."),
    "https://www.ks.no/",
)
INNOVATION_NORWAY = Support(
    _("Innovasjon Norge"),
    _("Innovasjonskontrakter og andre virkemidler for leverandører som utvikler nye løsninger "
      "sammen med en offentlig kunde."),
    "https://www.innovasjonnorge.no/",
)
DIGITALISERING = Support(
    _("Stimuleringsmidler til velferdsteknologi og digital hjemmeoppfølging"),
    _("Helsedirektoratet og KS har hatt ordninger for å ta i bruk og spre velferdsteknologi; "
      "sjekk gjeldende utlysninger før skalering."),
    "https://www.helsedirektoratet.no/",
)

SUPPORT_BY_PHASE: dict[str, tuple[Support, ...]] = {
    Phase.NEED_CLARIFICATION: (LUP, REGIONAL_NETWORKS),
    Phase.MARKET_DIALOGUE: (LUP, REGIONAL_NETWORKS, INNOVATION_NORWAY),
    Phase.COMPETITION: (LUP, INNOVATION_NORWAY),
    Phase.CONTRACT: (INNOVATION_NORWAY, PILOT_HELSE),
    Phase.PILOT: (PILOT_HELSE, REGIONAL_NETWORKS),
    Phase.SCALING: (DIGITALISERING, REGIONAL_NETWORKS),
}

PHASE_DESCRIPTIONS: dict[str, Promise | str] = {
    Phase.NEED_CLARIFICATION: _("Deltakerne beskriver behovet, ikke løsningen, og anslår volum."),
    Phase.MARKET_DIALOGUE: _("Leverandører melder interesse og stiller spørsmål; svarene publiseres likt til alle."),
    Phase.COMPETITION: _("Konkurransen er kunngjort; dialogen med leverandørene er lukket."),
    Phase.CONTRACT: _("Kontrakt er inngått med valgt leverandør."),
    Phase.PILOT: _("Løsningen prøves ut hos deltakerne, og effekter måles."),
    Phase.SCALING: _("Løsningen tas i bruk i flere tjenester og kommuner."),
}


def support_for(phase: str) -> tuple[Support, ...]:
    return SUPPORT_BY_PHASE.get(phase, ())
