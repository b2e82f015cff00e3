"""Log-in, log-out, password reset and the user's own profile page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import LanguageForm, LoginForm
from .models import Membership


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
    user = request.user
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
