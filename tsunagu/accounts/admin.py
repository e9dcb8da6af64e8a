from __future__ import annotations

from collections.abc import Sequence

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.audit.admin_views import AuditedAdmin
from tsunagu.tenancy.models import Membership

from .models import UndeliverableAddress, User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_active", "is_staff", "date_joined")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    def audited_members(self, objects: Sequence[User]) -> QuerySet[Membership]:
        return Membership.objects.filter(user__in=[u.pk for u in objects])


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(AuditedAdmin):
    """Addresses whose mail server refused our mail; deleting one lets notification e-mail try
    it again."""

    list_display = ("email", "reason", "refused_at")
    search_fields = ("email",)
    ordering = ("-refused_at",)

    def audited_members(self, objects: Sequence[UndeliverableAddress]) -> QuerySet[Membership]:
        # An address is site-wide: it concerns the networks of the account that uses it.
        return Membership.objects.filter(user__email__in=[a.email for a in objects])
