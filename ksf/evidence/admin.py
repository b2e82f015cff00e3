"""The evidence base in the Django admin; bulk import goes through the import page (evidence:import)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Evidence, ImportRun, NeedEvidenceLink


class LinkInline(admin.TabularInline):
    model = NeedEvidenceLink
    extra = 0
    raw_id_fields = ["need"]
    fields = ["need", "relation", "what_we_know", "created_by", "updated_by"]
    readonly_fields = ["created_by", "updated_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # links are made on the need page, where access and the privacy guard apply

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    change_list_template = "admin/evidence/evidence/change_list.html"
    list_display = ["__str__", "source", "evidence_type", "year", "language", "doi", "pmid", "updated_at"]
    list_filter = ["source", "evidence_type", "language", "year"]
    search_fields = ["title", "title_no", "doi", "pmid", "cochrane_id"]
    readonly_fields = ["title_key", "created_at", "updated_at"]
    date_hierarchy = "updated_at"
    inlines = [LinkInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "title_no", "abstract", "authors", "year", "journal"]}),
        (_("Klassifisering"), {"fields": ["source", "evidence_type", "language", "certainty", "keywords"]}),
        (_("Identifikatorer"), {"fields": ["doi", "pmid", "cochrane_id", "url", "title_key"]}),
        (_("Endringer"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_urls(self) -> list[Any]:
        # admin/evidence/evidence/import/ → the import page (the same view as /kunnskap/import/).
        custom = [path("import/", self.admin_site.admin_view(self.import_redirect), name="evidence_evidence_import")]
        return custom + super().get_urls()

    def import_redirect(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("evidence:import"))

    def save_model(self, request: HttpRequest, obj: Evidence, form: Any, change: bool) -> None:
        services.evidence_save(evidence=obj)

    def delete_model(self, request: HttpRequest, obj: Evidence) -> None:
        services.evidence_delete(evidence=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        for evidence in queryset:
            services.evidence_delete(evidence=evidence, user=request.user)


@admin.register(NeedEvidenceLink)
class NeedEvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["need", "evidence", "relation", "created_by", "created_at", "updated_at"]
    list_filter = ["relation"]
    search_fields = ["need__public_id", "need__title", "evidence__title", "evidence__title_no", "what_we_know"]
    raw_id_fields = ["need", "evidence"]
    readonly_fields = ["need", "evidence", "relation", "what_we_know", "created_by", "created_at", "updated_by", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made on the need page, where access and the privacy guard apply

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Read-only log of imports; the button on the list leads to the upload page."""

    change_list_template = "admin/evidence/importrun/change_list.html"
    list_display = ["created_at", "filename", "file_format", "status", "created", "updated", "unchanged", "created_by"]
    list_filter = ["status", "file_format"]
    search_fields = ["filename"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
