"""Top-level URL map: one include per app, plus admin, language switch and health checks."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from ksf.core import views as core_views

urlpatterns = [
    path("", include("ksf.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("konto/", include("ksf.accounts.urls")),
    path("kommuner/", include("ksf.organisations.urls")),
    path("behov/", include("ksf.needs.urls")),
    path("kunnskap/", include("ksf.evidence.urls")),
    path("sok/", include("ksf.search.urls")),
    path("prosjekter/", include("ksf.projects.urls")),
    path("prioritering/", include("ksf.priorities.urls")),
    path("anskaffelser/", include("ksf.procurement.urls")),
    path("statistikk/", include("ksf.monitor.urls")),
    path("api/", include("ksf.api.urls")),
]

handler400 = "ksf.core.errors.bad_request"
handler404 = "ksf.core.errors.not_found"
handler403 = "ksf.core.errors.forbidden"
handler500 = "ksf.core.errors.server_error"
