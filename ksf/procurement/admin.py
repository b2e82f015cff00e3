from django.contrib import admin

from .models import (
    Document,
    ExperienceReport,
    Initiative,
    JoinRequest,
    Participation,
    PhaseChange,
    PhasePlan,
    SupplierInterest,
    SupplierQuestion,
)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    raw_id_fields = ["organisation", "added_by"]


class PhaseChangeInline(admin.TabularInline):
    model = PhaseChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_phase", "to_phase", "actor", "actor_organisation", "note", "created_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "lead", "phase", "published_at", "dialogue_open"]
    list_filter = ["phase", "dialogue_open"]
    search_fields = ["title", "description"]
    raw_id_fields = ["lead", "created_by"]
    filter_horizontal = ["needs"]
    # The phase changes only through services.initiative_move_phase (history and notifications).
    readonly_fields = ["phase", "version", "created_at", "updated_at"]
    inlines = [ParticipationInline, PhaseChangeInline]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["initiative", "organisation", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["initiative", "organisation", "requested_by", "decided_by"]


@admin.register(SupplierInterest)
class SupplierInterestAdmin(admin.ModelAdmin):
    list_display = ["initiative", "supplier", "contact_role", "created_at"]
    raw_id_fields = ["initiative", "supplier", "user"]


@admin.register(SupplierQuestion)
class SupplierQuestionAdmin(admin.ModelAdmin):
    list_display = ["initiative", "supplier", "created_at", "answered_at"]
    raw_id_fields = ["initiative", "supplier", "asked_by", "answered_by", "answered_by_organisation"]


@admin.register(ExperienceReport)
class ExperienceReportAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "initiative", "cost_range", "published_at"]
    search_fields = ["title", "what_procured", "effects", "lessons"]
    raw_id_fields = ["initiative", "organisation", "author"]


admin.site.register(Document)
admin.site.register(PhasePlan)
