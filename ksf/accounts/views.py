"""Log-in, log-out, password reset and the user's own profile page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import LanguageForm, LoginForm
from .models import Membership, User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """At most 5 reset requests per client address per hour; the answer never reveals accounts."""

    template_name = "registration/password_reset_form.html"
    limit = 5

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"pwreset:{request.META.get('REMOTE_ADDR', '')}"
        count = cache.get(key, 0)
        if count >= self.limit:
            return render(
                request,
                self.template_name,
                {"form": self.get_form(), "rate_limited": True},
                status=429,
            )
        cache.set(key, count + 1, 3600)
        return super().post(request, *args, **kwargs)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if request.method == "POST":
        form = LanguageForm(request.POST, instance=user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Språkvalget er lagret."))
            response = redirect("accounts:profile")
            response.delete_cookie("django_language")
            return response
    else:
        form = LanguageForm(instance=user)
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    return render(request, "accounts/profile.html", {"memberships": memberships, "form": form})


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    """Download your data, or ask to be erased (needs your password)."""
    from .forms import EraseForm
    from .privacy import user_erase

    user = cast(User, request.user)
    form = EraseForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_erase(user=user, by=user)
        logout(request)
        messages.success(request, _("Kontoen din er slettet. Behovene du meldte, står videre på kommunen din."))
        return redirect("core:home")
    return render(request, "accounts/privacy.html", {"form": form})


@login_required
def privacy_export(request: HttpRequest) -> HttpResponse:
    from .privacy import personal_data_export

    data = personal_data_export(request.user)  # type: ignore[arg-type]
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="mine-data-{request.user.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """Create (or replace) and revoke your personal API token."""
    from rest_framework.authtoken.models import Token

    from .tokens import token_create, token_revoke

    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if token_revoke(user=request.user):  # type: ignore[arg-type]
                messages.success(request, _("API-nøkkelen er trukket tilbake."))
            return redirect("accounts:api_token")
        new_key = token_create(user=request.user).key  # type: ignore[arg-type]
        messages.success(request, _("Ny API-nøkkel er laget. Kopier den nå; den vises bare én gang."))
    token = Token.objects.filter(user=cast(User, request.user)).first()
    response = render(request, "accounts/api_token.html", {"token": token, "new_key": new_key})
    response["Cache-Control"] = "no-store"
    return response
