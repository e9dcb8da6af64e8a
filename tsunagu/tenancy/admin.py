from __future__ import annotations

from collections.abc import Sequence

from django.contrib import admin
from django.db.models import QuerySet

from tsunagu.audit.admin_views import AuditedAdmin

from .models import Membership, Network


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role", "status"]


@admin.register(Network)
class NetworkAdmin(AuditedAdmin):
    list_display = ("name", "slug", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    audit_list = False  # names and addresses of networks; one network's page lists its members

    def audited_members(self, objects: Sequence[Network]) -> QuerySet[Membership]:
        return Membership.objects.filter(network__in=[n.pk for n in objects])
