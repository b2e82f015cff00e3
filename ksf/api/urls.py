"""/api/: schema, docs and the v1 endpoints of every app."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from .views import CachedSpectacularAPIView

app_name = "api"

v1 = [
    path("", include("ksf.organisations.api")),
    path("", include("ksf.monitor.api")),
    path("", include("ksf.evidence.api")),
    path("", include("ksf.projects.api")),
    path("", include("ksf.procurement.api")),
    path("", include("ksf.needs.api")),
    path("", include("ksf.priorities.api")),
    path("", include("ksf.search.api")),
    # Other apps add their `<app>.api` module here.
]

urlpatterns = [
    # Generated once per process and language (ksf/api/views.py).
    path("schema/", CachedSpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(v1)),
]
