from django.contrib import admin

from .models import Funding, Project, ProjectServiceArea, UserParticipation


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0


class ParticipationInline(admin.TabularInline):
    model = UserParticipation
    extra = 0


class ServiceAreaInline(admin.TabularInline):
    model = ProjectServiceArea
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "owner", "participation_reported", "is_published", "start_date"]
    list_filter = ["kind", "status", "participation_reported", "is_published"]
    search_fields = ["title", "summary", "keywords", "cristin_id"]
    raw_id_fields = ["owner", "leader", "created_by"]
    filter_horizontal = ["partners", "municipalities", "needs"]
    inlines = [ServiceAreaInline, FundingInline, ParticipationInline]
