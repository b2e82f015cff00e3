"""Users and memberships in the Django admin; every role or membership change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from ksf.core.audit import audit_record, snapshot

from .models import Membership, User

USER_AUDIT_FIELDS = ["username", "is_active", "is_staff", "is_superuser", "full_name", "email"]
MEMBERSHIP_FIELDS = ["user", "organisation", "role"]


def _membership_old(obj: Membership) -> dict[str, Any] | None:
    if not obj.pk:
        return None
    previous = Membership.objects.filter(pk=obj.pk).first()
    return snapshot(previous, MEMBERSHIP_FIELDS) if previous else None


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class KsfUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "email", "is_staff"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("KSF", {"fields": ("full_name", "language")}))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        previous = User.objects.filter(pk=obj.pk).first() if obj.pk else None
        old = snapshot(previous, USER_AUDIT_FIELDS) if previous else None
        old_groups = sorted(previous.groups.values_list("name", flat=True)) if previous else []
        super().save_model(request, obj, form, change)
        new = snapshot(obj, USER_AUDIT_FIELDS)
        if old is not None:
            old["groups"] = old_groups
        if old != new or not change:
            audit_record(actor=request.user, action="user.change" if change else "user.create", obj=obj, old=old, new=new)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = sorted(form.instance.groups.values_list("name", flat=True)) if form.instance.pk else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(actor=request.user, action="user.groups", obj=form.instance, old={"groups": before}, new={"groups": after})

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        olds = {f.instance.pk: _membership_old(f.instance) for f in formset.forms if f.instance.pk}
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            audit_record(actor=request.user, action="membership.delete", obj=deleted, old=olds.get(deleted.pk))
            deleted.delete()
        for instance in instances:
            old = olds.get(instance.pk)
            instance.save()
            audit_record(
                actor=request.user,
                action="membership.change" if old else "membership.create",
                obj=instance,
                old=old,
                new=snapshot(instance, MEMBERSHIP_FIELDS),
            )
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action="user.delete", obj=obj, old=snapshot(obj, USER_AUDIT_FIELDS))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action="user.delete", obj=obj, old=snapshot(obj, USER_AUDIT_FIELDS))
        super().delete_queryset(request, queryset)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        old = _membership_old(obj)
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="membership.change" if change else "membership.create",
            obj=obj,
            old=old,
            new=snapshot(obj, MEMBERSHIP_FIELDS),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action="membership.delete", obj=obj, old=snapshot(obj, MEMBERSHIP_FIELDS))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action="membership.delete", obj=obj, old=snapshot(obj, MEMBERSHIP_FIELDS))
        super().delete_queryset(request, queryset)
