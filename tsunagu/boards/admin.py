from __future__ import annotations

from django.contrib import admin

from .models import Category, Comment, Report, Thread


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "network", "position")
    list_filter = ("network",)


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "network", "kind", "comment_count", "is_hidden", "created_at")
    list_filter = ("network", "kind", "is_hidden")
    search_fields = ("title",)
    raw_id_fields = ("category", "author", "best_answer")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("thread", "number", "network", "is_hidden", "created_at")
    list_filter = ("network", "is_hidden")
    raw_id_fields = ("thread", "author", "parent")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("thread", "comment", "network", "outcome", "created_at", "resolved_at")
    list_filter = ("network", "outcome")
    raw_id_fields = ("thread", "comment", "reporter", "resolved_by")
