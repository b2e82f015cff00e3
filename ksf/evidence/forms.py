from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import EvidenceType, LinkRelation, Source
from .selectors import MAX_WHAT_WE_KNOW


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("PubMed XML, MEDLINE (.nbib/.txt), RIS, CSV eller JSON. Alt eller ingenting importeres per fil."),
        widget=forms.ClearableFileInput(attrs={"class": "ds-input"}),
    )

    def clean_file(self) -> object:
        from .services import file_too_large_message

        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_IMPORT_FILE_BYTES:
            raise forms.ValidationError(file_too_large_message(upload.name, upload.size))
        return upload


class LinkForm(forms.Form):
    evidence = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    relation = forms.ChoiceField(
        label=_("Forhold til behovet"), choices=LinkRelation.choices, widget=forms.Select(attrs={"class": "ds-input"})
    )
    what_we_know = forms.CharField(
        label=_("Hva vi vet (klarspråk)"), required=False, max_length=MAX_WHAT_WE_KNOW,
        widget=forms.Textarea(attrs={"class": "ds-input", "rows": 3}),
    )


class EvidenceFilterForm(forms.Form):
    """The list page's filters (GET); invalid values are ignored rather than shown as errors."""

    q = forms.CharField(label=_("Søk i tittel og sammendrag"), required=False, max_length=200)
    kilde = forms.ChoiceField(label=_("Kilde"), required=False, choices=[("", _("Alle kilder")), *Source.choices])
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Alle typer")), *EvidenceType.choices])
    sprak = forms.CharField(label=_("Språk"), required=False, max_length=5)
    fra = forms.IntegerField(label=_("Fra år"), required=False, min_value=1500, max_value=2100)
    til = forms.IntegerField(label=_("Til år"), required=False, min_value=1500, max_value=2100)
