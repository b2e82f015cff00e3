from django.contrib import admin

from .models import County, HealthRegion, Organisation


@admin.register(HealthRegion)
class HealthRegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "region"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_number", "county", "region", "population"]
    list_filter = ["kind", "region", "county"]
    search_fields = ["name", "municipality_number", "org_number"]
    filter_horizontal = ["members"]
    raw_id_fields = ["motorkommune"]
