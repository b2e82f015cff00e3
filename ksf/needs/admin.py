"""Admin for needs: read-mostly. Status changes only through the workflow (`services.need_transition`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from ksf.core.privacy import guard_free_text

from .models import Comment, Endorsement, Follow, Need, NeedStatusChange


class HistoryInline(admin.TabularInline):
    model = NeedStatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "level", "actor", "actor_organisation", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EndorsementInline(admin.TabularInline):
    model = Endorsement
    extra = 0
    fields = ("municipality", "user", "comment", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NeedAdminForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = (
            "kind", "title", "question", "population", "intervention", "comparison", "outcome", "service_area",
            "target_group", "why_it_matters", "urgency", "answer",
        )

    def clean(self) -> dict[str, Any]:
        from .services import FREE_TEXT_LABELS

        data = super().clean() or {}
        guard_free_text({k: (label, data.get(k)) for k, label in FREE_TEXT_LABELS.items() if isinstance(data.get(k), str)})
        return data


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    form = NeedAdminForm
    list_display = ("public_id", "title", "kind", "status", "service_area", "municipality", "region", "created_at")
    list_filter = ("status", "kind", "service_area", "region", "is_national")
    search_fields = ("public_id", "title", "question")
    list_select_related = ("municipality", "region")
    date_hierarchy = "created_at"
    inlines = [HistoryInline, EndorsementInline]
    # Text can be corrected (e.g. personal data removed); routing fields only via the workflow.
    readonly_fields = (
        "public_id", "status", "municipality", "cluster", "region", "created_by", "created_at", "updated_at",
        "submitted_at", "published_at", "is_national", "merged_into", "answered_at", "assigned_partner",
        "assignment_due",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NeedStatusChange)
class NeedStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("need", "from_status", "to_status", "level", "actor_organisation", "created_at")
    list_filter = ("to_status", "level")
    list_select_related = ("need", "actor_organisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("need", "author_organisation", "created_at")
    list_select_related = ("need", "author_organisation")
    readonly_fields = ("need", "author", "author_organisation", "created_at")


admin.site.register(Follow)
