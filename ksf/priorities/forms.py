"""Forms for rounds and decision records (Designsystemet classes, Norwegian messages).

Forms only parse input; the rules live in `services.py`, whose ValidationErrors are put back
on the form fields by `apply_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ksf.accounts.models import Role, User
from ksf.needs.models import Need
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

from .access import ANSWERED_FOR_DECISION
from .models import SCALE_MAX, SCALE_MIN, Criterion, DecisionKind, MunicipalDecision, Round, RoundLevel

REQUIRED = {"required": _("Feltet må fylles ut.")}
DATE_MESSAGES = {"required": _("Sett en dato."), "invalid": _("Skriv datoen som dd.mm.åååå.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DsForm(forms.Form):
    """Adds Designsystemet classes and aria-describedby for errors to every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields and self.auto_id:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the matching form fields (others on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


# --- rounds -------------------------------------------------------------------------------

class RoundCreateForm(DsForm):
    level = forms.ChoiceField(label=_("Nivå"), choices=RoundLevel.choices, error_messages=REQUIRED)
    region = forms.ModelChoiceField(
        label=_("Helseregion"), queryset=HealthRegion.objects.none(), required=False,
        help_text=_("For regionale runder. Kandidatene blir regionens behov som er sendt videre til prioritering."),
        error_messages={"invalid_choice": _("Velg en helseregion fra listen.")},
    )
    title = forms.CharField(label=_("Tittel"), max_length=200, error_messages={**REQUIRED, "max_length": _("Maks 200 tegn.")})
    meeting_date = forms.DateField(label=_("Møtedato"), widget=DateInput(), error_messages=DATE_MESSAGES)
    notes = forms.CharField(label=_("Merknader til referatet"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, regions: QuerySet[HealthRegion], levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = regions
        level_field = self.fields["level"]
        assert isinstance(level_field, forms.ChoiceField)
        level_field.choices = levels

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level") == RoundLevel.REGIONAL and not data.get("region"):
            self.add_error("region", _("Velg helseregion for en regional runde."))
        return data


class RoundEditForm(DsForm):
    title = forms.CharField(label=_("Tittel"), max_length=200, error_messages={**REQUIRED, "max_length": _("Maks 200 tegn.")})
    meeting_date = forms.DateField(label=_("Møtedato"), widget=DateInput(), error_messages=DATE_MESSAGES)
    notes = forms.CharField(label=_("Merknader til referatet"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class WeightsForm(DsForm):
    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"weight_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name, min_value=0, max_value=10, decimal_places=1, initial=criterion.weight,
                localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "ds-input weight-input"}),
                error_messages={
                    "required": _("Sett en vekt (0 for å utelate kriteriet)."),
                    "invalid": _("Skriv et tall, f.eks. 1 eller 1,5."),
                    "min_value": _("Vekten kan ikke være negativ."),
                    "max_value": _("Vekten kan ikke være over 10."),
                    "max_decimal_places": _("Bruk høyst én desimal."),
                },
            )

    def weights(self) -> dict[int, Any]:
        return {int(name.split("_", 1)[1]): value for name, value in self.cleaned_data.items() if name.startswith("weight_")}


class CriterionAddForm(DsForm):
    name = forms.CharField(label=_("Navn på kriteriet"), max_length=100, error_messages={**REQUIRED, "max_length": _("Maks 100 tegn.")})
    description = forms.CharField(label=_("Beskrivelse"), max_length=500, required=False)
    weight = forms.DecimalField(
        label=_("Vekt"), min_value=0, max_value=10, decimal_places=1, initial=1, localize=True,
        error_messages={"required": _("Sett en vekt."), "invalid": _("Skriv et tall, f.eks. 1 eller 1,5."),
                        "min_value": _("Vekten kan ikke være negativ."), "max_value": _("Vekten kan ikke være over 10.")},
    )
    anchor_1 = forms.CharField(label=_("Hva betyr 1 poeng?"), max_length=300, required=False)
    anchor_3 = forms.CharField(label=_("Hva betyr 3 poeng?"), max_length=300, required=False)
    anchor_5 = forms.CharField(label=_("Hva betyr 5 poeng?"), max_length=300, required=False)

    def anchors(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"anchor_{k}", "") for k in ("1", "3", "5")}


def invitable_users(round_: Round) -> QuerySet[User]:
    roles = [Role.CLUSTER_COORDINATOR, Role.REGIONAL_COORDINATOR, Role.RESEARCH_PARTNER, Role.NATIONAL_COORDINATOR,
             Role.MUNICIPAL_CONTACT]
    qs = User.objects.filter(is_active=True, memberships__role__in=roles)
    if round_.level == RoundLevel.REGIONAL:
        qs = qs.filter(
            Q(memberships__organisation__region_id=round_.region_id)
            | Q(memberships__role__in=[Role.RESEARCH_PARTNER, Role.NATIONAL_COORDINATOR])
        )
    return qs.exclude(priority_rounds__round=round_).distinct().order_by("full_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.public_id} {obj.title}"


class InviteForm(DsForm):
    user = UserChoiceField(
        label=_("Deltaker"), queryset=User.objects.none(),
        error_messages={"required": _("Velg hvem som skal inviteres."), "invalid_choice": _("Velg en bruker fra listen.")},
    )
    capacity = forms.CharField(label=_("Representerer"), max_length=200, required=False,
                               help_text=_("Tomt: rollen og organisasjonen til brukeren."))

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = invitable_users(round_)


class CandidateAddForm(DsForm):
    need = NeedChoiceField(
        label=_("Behov"), queryset=Need.objects.none(),
        error_messages={"required": _("Velg et behov."), "invalid_choice": _("Velg et behov fra listen.")},
    )

    def __init__(self, *args: Any, needs: list[Need], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["need"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Need.objects.filter(pk__in=[n.pk for n in needs]).order_by("public_id")


class DeclarationForm(DsForm):
    conflicted = forms.TypedChoiceField(
        label=_("Habilitet"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("no", _("Jeg er habil")), ("yes", _("Jeg er inhabil"))],
        error_messages={"required": _("Velg om du er habil eller inhabil.")},
    )
    note = forms.CharField(label=_("Merknad"), max_length=1000, required=False,
                           help_text=_("Må fylles ut ved inhabilitet, f.eks. «meldt inn av egen kommune»."))


SCORE_CHOICES = [("", _("Ikke vurdert"))] + [(str(i), str(i)) for i in range(SCALE_MIN, SCALE_MAX + 1)]


class ScoreForm(DsForm):
    def __init__(self, *args: Any, criteria: list[Criterion], initial_values: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            anchors = "; ".join(f"{k} = {v}" for k, v in criterion.anchor_list())
            self.fields[f"criterion_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.name, choices=SCORE_CHOICES, required=False,
                initial=str(initial_values[criterion.pk]) if criterion.pk in initial_values else "",
                help_text=anchors,
                error_messages={"invalid_choice": _("Velg et poeng fra 1 til 5.")},
            )

    def values(self) -> dict[int, Any]:
        return {int(name.split("_", 1)[1]): value for name, value in self.cleaned_data.items() if name.startswith("criterion_")}


class DecisionForm(DsForm):
    kind = forms.ChoiceField(label=_("Vedtak"), choices=DecisionKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Velg et vedtak.")})
    partner = forms.ModelChoiceField(
        label=_("Forskningspartner"), required=False,
        queryset=Organisation.objects.filter(kind=OrgKind.RESEARCH_PARTNER).order_by("name"),
        help_text=_("Må velges ved kunnskapssjekk og kunnskapsoppsummering."),
        error_messages={"invalid_choice": _("Velg en forskningspartner fra listen.")},
    )
    due = forms.DateField(label=_("Frist"), required=False, widget=DateInput(), error_messages=DATE_MESSAGES,
                          help_text=_("Må settes ved kunnskapssjekk og kunnskapsoppsummering."))
    note = forms.CharField(label=_("Begrunnelse"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Vises på behovets tidslinje sammen med møtet."))

    def __init__(self, *args: Any, national_round: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if national_round:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(k, v) for k, v in DecisionKind.choices if k != DecisionKind.NATIONAL]


# --- decision records ---------------------------------------------------------------------

# Lazy, so that labels and choices follow the request language (not the one active at import).
RATING_LABELS: dict[str, list[Any]] = {
    "nytte_rating": [_("Svært liten"), _("Liten"), _("Moderat"), _("Stor"), _("Svært stor")],
    "ressurs_rating": [_("Svært lav"), _("Lav"), _("Moderat"), _("Høy"), _("Svært høy")],
    "alvorlighet_rating": [_("Lite alvorlig"), _("Noe alvorlig"), _("Moderat alvorlig"), _("Alvorlig"),
                           _("Svært alvorlig")],
}


def rating_label(field: str, value: int | None) -> str:
    if not value:
        return str(_("Ikke vurdert"))
    return f"{value} – {RATING_LABELS[field][value - 1]}"


def _rating_field(name: str, label: Any, help_text: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, help_text=help_text,
        choices=[("", _("Ikke vurdert"))] + [(str(i), format_lazy("{} – {}", i, text)) for i, text in enumerate(RATING_LABELS[name], start=1)],
        error_messages={"invalid_choice": _("Velg en verdi fra 1 til 5.")},
    )


def _text(label: Any, help_text: Any = "", rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=required, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={**REQUIRED, "max_length": _("Teksten er for lang (maks 4000 tegn).")})


class DecisionRecordForm(DsForm):
    measure_title = forms.CharField(label=_("Tiltak"), max_length=200,
                                    help_text=_("Hvilket tiltak kommunen vurderer, med egne ord."),
                                    error_messages={"required": _("Skriv hvilket tiltak vurderingen gjelder."),
                                                    "max_length": _("Maks 200 tegn.")})
    measure_description = _text(_("Beskrivelse av tiltaket"), rows=4)
    knowledge_other = _text(_("Annet kunnskapsgrunnlag"),
                            _("Kilder kommunen har brukt i tillegg til kunnskapen som er koblet til behovet. Én per linje, gjerne med lenke."))
    nytte_rating = _rating_field("nytte_rating", _("Nytte"), _("Forventet nytte for innbyggerne tiltaket gjelder."))
    nytte_text = _text(_("Vurdering av nytte"))
    ressurs_rating = _rating_field("ressurs_rating", _("Ressursbruk"), _("Hvor mye ressurser tiltaket krever (personell, kostnader, tid)."))
    ressurs_text = _text(_("Vurdering av ressursbruk"))
    alvorlighet_rating = _rating_field("alvorlighet_rating", _("Alvorlighet"), _("Hvor alvorlig tilstanden eller situasjonen er."))
    alvorlighet_text = _text(_("Vurdering av alvorlighet"))
    children_text = _text(_("Konsekvenser for barn"), _("Hvordan tiltaket påvirker barn og unge, også som pårørende."))
    local_text = _text(_("Lokale forhold"), _("Geografi, demografi, kompetanse og tjenestetilbud i kommunen."))
    equity_text = _text(_("Ulik tilgang og likeverd"), _("Om tiltaket kan gi ulik tilgang til tjenester, og for hvem."))
    uncertainty_text = _text(_("Usikkerhet i kunnskapsgrunnlaget"), _("Hvor sikker kunnskapen er, og hva som er usikkert."))
    involvement_text = _text(_("Brukermedvirkning og berørte grupper"), _("Hvordan brukere, pårørende og ansatte har vært med."))
    plan_text = _text(_("Forankring i kommuneplanen"), _("Hvor tiltaket passer i kommuneplanen og andre planer."))
    decision = forms.ChoiceField(label=_("Beslutning"), required=False,
                                 choices=[("", _("Ikke besluttet ennå"))] + list(MunicipalDecision.choices),
                                 error_messages={"invalid_choice": _("Velg en gyldig beslutning.")})
    decision_text = _text(_("Begrunnelse for beslutningen"))
    follow_up_date = forms.DateField(label=_("Dato for oppfølging"), required=False, widget=DateInput(),
                                     error_messages=DATE_MESSAGES)
    experience_text = _text(_("Erfaringer"), _("Hva kommunen har lært; nyttig for andre kommuner når grunnlaget er publisert."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    GROUPS = (
        (_("Tiltaket"), ("measure_title", "measure_description")),
        (_("Kunnskapsgrunnlag"), ("knowledge_other",)),
        (_("Prioriteringskriteriene"), ("nytte_rating", "nytte_text", "ressurs_rating", "ressurs_text",
                                        "alvorlighet_rating", "alvorlighet_text")),
        (_("Andre hensyn (Helsedirektoratet)"), ("children_text", "local_text", "equity_text", "uncertainty_text",
                                                  "involvement_text", "plan_text")),
        (_("Beslutning og oppfølging"), ("decision", "decision_text", "follow_up_date", "experience_text")),
    )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def record_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RecordStartForm(DsForm):
    need = NeedChoiceField(
        label=_("Besvart behov"), queryset=Need.objects.filter(status__in=ANSWERED_FOR_DECISION).order_by("public_id"),
        error_messages={"required": _("Velg behovet tiltaket bygger på."), "invalid_choice": _("Velg et besvart behov fra listen.")},
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommune"), queryset=Organisation.objects.none(),
        error_messages={"required": _("Velg kommunen."), "invalid_choice": _("Du kan bare velge din egen kommune.")},
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
