"""Records the site administrator's views of members' data in /admin/.

A ``ModelAdmin`` that shows personal data mixes in ``AuditedAdmin`` and says, in
``audited_members()``, which memberships the shown objects concern. A successful GET of its list
or of one object then writes one audit entry per network concerned (``actions.do_note_admin_view``),
with the administrator as the actor: so each network's operators, and the member concerned, see
that the site administrator looked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_scopes import scopes_disabled

from tsunagu.tenancy.models import Membership

from .actions import do_note_admin_view


class AuditedAdmin(admin.ModelAdmin):
    # Whether the list page shows personal data (a list of accounts does; a list of networks
    # does not, though one network's page lists its members).
    audit_list = True

    def audited_members(self, objects: Sequence[Any]) -> QuerySet[Membership]:
        raise NotImplementedError

    def _note(self, request: HttpRequest, objects: Sequence[Any], *, one_object: bool) -> None:
        if not objects:
            return
        with scopes_disabled():
            members = self.audited_members(objects)
            do_note_admin_view(
                request.user, self.model._meta.label_lower, members, one_object=one_object
            )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if self.audit_list and request.method == "GET" and response.status_code == 200:
            changelist = context.get("cl")
            if changelist is not None:
                # Evaluated once here; the template reads the same rows from the queryset's cache.
                self._note(request, list(changelist.result_list), one_object=False)
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        shown = context.get("original")
        if request.method == "GET" and response.status_code == 200 and shown is not None:
            self._note(request, [shown], one_object=True)
        return response
