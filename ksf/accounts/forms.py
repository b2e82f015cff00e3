from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Feil brukernavn eller passord. Merk at feltene skiller mellom store og små bokstaver."),
        "inactive": _("Denne kontoen er deaktivert."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Brukernavn")
        self.fields["password"].label = _("Passord")
        for field in self.fields.values():
            field.widget.attrs["class"] = "ds-input"


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Foretrukket språk")}
        help_texts = {"language": _("Tomt betyr at språket følger kommunens målform.")}
        widgets = {"language": forms.Select(attrs={"class": "ds-input"})}


class EraseForm(forms.Form):
    """Erasure is final: the user confirms with their password and a tick."""

    password = forms.CharField(
        label=_("Passordet ditt"), widget=forms.PasswordInput(attrs={"class": "ds-input", "autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("Jeg forstår at kontoen min slettes for godt"),
        widget=forms.CheckboxInput(attrs={"class": "ds-input"}),
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Feil passord."))
        return password
