"""Forms for registering and editing projects (funding and participation as formsets)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksf.needs.models import ServiceArea
from ksf.organisations.models import Organisation, OrgKind

from .models import Capacity, FundingSource, Participant, ParticipationState, Phase, ProjectKind, ProjectStatus
from .services import FundingRow, ParticipationRow

TEXT = {"class": "ds-input"}


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class OrgMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


def _orgs() -> Any:
    return Organisation.objects.filter(is_active=True).order_by("kind", "name")


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Tittel"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    summary = forms.CharField(
        label=_("Populærvitenskapelig sammendrag"), max_length=5000,
        help_text=_("Hva prosjektet gjør og hvorfor, skrevet for folk flest. Ikke skriv personopplysninger."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 6}),
    )
    kind = forms.ChoiceField(label=_("Type prosjekt"), choices=ProjectKind.choices, widget=forms.Select(attrs=TEXT))
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices, widget=forms.Select(attrs=TEXT))
    start_date = forms.DateField(label=_("Startdato"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(
        label=_("Sluttdato"), required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d")
    )
    owner = OrgChoiceField(label=_("Prosjekteier"), queryset=Organisation.objects.none(), widget=forms.Select(attrs=TEXT))
    leader = OrgChoiceField(
        label=_("Organisasjonen som leder prosjektet"), queryset=Organisation.objects.none(), widget=forms.Select(attrs=TEXT)
    )
    partners = OrgMultipleChoiceField(
        label=_("Samarbeidspartnere"), required=False, queryset=Organisation.objects.none(),
        help_text=_("Hold nede Ctrl (Cmd på Mac) for å velge flere."),
        widget=forms.SelectMultiple(attrs={**TEXT, "size": 8}),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Deltakende kommuner"), required=False,
        queryset=Organisation.objects.none(),
        help_text=_("Hold nede Ctrl (Cmd på Mac) for å velge flere."),
        widget=forms.SelectMultiple(attrs={**TEXT, "size": 8}),
    )
    keywords = forms.CharField(
        label=_("Emneord"), required=False, max_length=500, help_text=_("Skill emneordene med semikolon (;)."),
        widget=forms.TextInput(attrs=TEXT),
    )
    service_areas = forms.MultipleChoiceField(
        label=_("Tjenesteområder"), required=False, choices=ServiceArea.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ds-input"}),
    )
    cristin_id = forms.CharField(
        label=_("Cristin-prosjektnummer"), required=False, max_length=12,
        help_text=_("Bare sifre. La stå tomt hvis prosjektet ikke er registrert i Cristin."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )
    participation_reported = forms.ChoiceField(
        label=_("Deltok brukere (pasienter, pårørende, brukerorganisasjoner) i prosjektet?"),
        choices=ParticipationState.choices, initial=ParticipationState.NOT_REPORTED,
        help_text=_("Svarer du «Med brukermedvirkning», fyll ut minst én rad nedenfor med fase, rolle og hvem."),
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
    )
    is_published = forms.BooleanField(
        label=_("Publiser prosjektet (synlig for alle)"), required=False, initial=True,
        widget=forms.CheckboxInput(attrs={"class": "ds-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = _orgs()
        for name in ("owner", "leader", "partners"):
            self.fields[name].queryset = orgs  # type: ignore[attr-defined]
        self.fields["municipalities"].queryset = orgs.filter(kind=OrgKind.MUNICIPALITY).order_by("name")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            key: d.get(key)
            for key in (
                "title", "summary", "kind", "status", "start_date", "end_date", "owner", "leader",
                "keywords", "service_areas", "cristin_id", "is_published",
            )
        } | {"partners": list(d.get("partners") or []), "municipalities": list(d.get("municipalities") or [])}


def _blank(label: str, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class FundingForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Kilde"), required=False, choices=_blank("–", FundingSource.choices), widget=forms.Select(attrs=TEXT)
    )
    amount = forms.CharField(
        label=_("Beløp (kr)"), required=False, max_length=30, widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"})
    )
    note = forms.CharField(label=_("Merknad"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("source")) != bool((data.get("amount") or "").strip()):
            raise forms.ValidationError(_("Fyll ut både kilde og beløp, eller la begge stå tomme."))
        return data

    def row(self) -> FundingRow | None:
        d = self.cleaned_data
        if not d or not d.get("source") or self.cleaned_data.get("DELETE"):
            return None
        return FundingRow(source=d["source"], amount=d["amount"], note=d.get("note", ""))


class ParticipationForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fase"), required=False, choices=_blank("–", Phase.choices), widget=forms.Select(attrs=TEXT))
    capacity = forms.ChoiceField(
        label=_("Rolle"), required=False, choices=_blank("–", Capacity.choices), widget=forms.Select(attrs=TEXT)
    )
    who = forms.ChoiceField(label=_("Hvem"), required=False, choices=_blank("–", Participant.choices), widget=forms.Select(attrs=TEXT))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [bool(data.get(k)) for k in ("phase", "capacity", "who")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Velg fase, rolle og hvem på raden, eller la alle tre stå tomme."))
        return data

    def row(self) -> ParticipationRow | None:
        d = self.cleaned_data
        if not d or not d.get("phase") or self.cleaned_data.get("DELETE"):
            return None
        return ParticipationRow(phase=d["phase"], capacity=d["capacity"], who=d["who"])


FundingFormSet = forms.formset_factory(FundingForm, extra=3, can_delete=True, max_num=30, validate_max=True)
ParticipationFormSet = forms.formset_factory(ParticipationForm, extra=3, can_delete=True, max_num=60, validate_max=True)


class ResultsForm(forms.Form):
    results = forms.CharField(
        label=_("Resultater i klarspråk"), max_length=18000,
        help_text=_("Når du publiserer, får behovene prosjektet svarer på status «Resultater publisert», "
                    "og de som følger behovene får e-post."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 10}),
    )
    publications = forms.CharField(
        label=_("Publikasjoner (DOI)"), required=False, help_text=_("Én DOI per linje, f.eks. 10.1186/s12913-020-05000-1."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    links = forms.CharField(
        label=_("Lenker"), required=False, help_text=_("Én lenke per linje (https://…)."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )


class LinkNeedForm(forms.Form):
    need = forms.CharField(
        label=_("Behovsnummer"), max_length=20, help_text=_("F.eks. KB-2026-0042."), widget=forms.TextInput(attrs=TEXT)
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-fil"), help_text=_("UTF-8, komma eller semikolon som skilletegn. Se kolonnene nedenfor."),
        widget=forms.ClearableFileInput(attrs={"class": "ds-input", "accept": ".csv,text/csv"}),
    )
