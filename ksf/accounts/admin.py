from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class KsfUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "email", "is_staff"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("KSF", {"fields": ("full_name", "language")}))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
