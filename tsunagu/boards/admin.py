from __future__ import annotations

from collections.abc import Sequence

from django.contrib import admin
from django.db.models import QuerySet

from tsunagu.audit.admin_views import AuditedAdmin
from tsunagu.tenancy.models import Membership

from .models import Category, Comment, Report, Thread


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "network", "position")
    list_filter = ("network",)


@admin.register(Thread)
class ThreadAdmin(AuditedAdmin):
    list_display = ("title", "network", "kind", "comment_count", "is_hidden", "created_at")
    list_filter = ("network", "kind", "is_hidden")
    search_fields = ("title",)
    raw_id_fields = ("category", "author", "best_answer")
    audit_list = False  # titles and counts; the page of one shows what a member wrote

    def audited_members(self, objects: Sequence[Thread]) -> QuerySet[Membership]:
        return Membership.objects.filter(pk__in=[o.author_id for o in objects])


@admin.register(Comment)
class CommentAdmin(AuditedAdmin):
    list_display = ("thread", "number", "network", "is_hidden", "created_at")
    list_filter = ("network", "is_hidden")
    raw_id_fields = ("thread", "author", "parent")
    audit_list = False  # titles and counts; the page of one shows what a member wrote

    def audited_members(self, objects: Sequence[Comment]) -> QuerySet[Membership]:
        return Membership.objects.filter(pk__in=[o.author_id for o in objects])


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = ("thread", "comment", "network", "outcome", "created_at", "resolved_at")
    list_filter = ("network", "outcome")
    raw_id_fields = ("thread", "comment", "reporter", "resolved_by")
    audit_list = False  # titles and counts; the page of one shows what a member wrote

    def audited_members(self, objects: Sequence[Report]) -> QuerySet[Membership]:
        return Membership.objects.filter(pk__in=[o.reporter_id for o in objects])
