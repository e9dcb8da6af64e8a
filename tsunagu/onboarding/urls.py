from __future__ import annotations

from django.urls import path

from .views import api, console, exit, invitations, joining, roster

app_name = "onboarding"

urlpatterns = [
    path("manage/console/", console.console, name="console"),
    path("manage/console/members/", console.members, name="members"),
    path("manage/console/members/bulk/", console.members_bulk, name="members_bulk"),
    path("manage/onboarding/", console.onboarding_settings, name="settings"),
    path("manage/import/", roster.upload, name="import_upload"),
    path("manage/import/<id:batch_id>/", roster.mapping, name="import_mapping"),
    path(
        "manage/import/<id:batch_id>/rejected.csv",
        roster.rejections_csv,
        name="import_rejections",
    ),
    path("manage/invitations/", invitations.invitations, name="invitations"),
    path("manage/invitations/send/", invitations.send_segment, name="invitations_send"),
    path("manage/do-not-invite/", invitations.do_not_invite, name="do_not_invite"),
    path(
        "manage/invitations/<id:invitation_id>/",
        invitations.invitation_action,
        name="invitation_action",
    ),
    path("manage/links/", invitations.links, name="links"),
    path("manage/exit/", exit.exit_codes, name="exit_codes"),
    path("manage/exit/<id:code_id>/", exit.exit_code, name="exit_code"),
    path("manage/links/<id:link_id>/revoke/", invitations.link_revoke, name="link_revoke"),
    path("manage/applications/", joining.applications, name="applications"),
    path("manage/applications/<id:application_id>/", joining.decide, name="decide"),
    path("invite/", invitations.member_invite, name="member_invite"),
    path("apply/", joining.apply, name="apply"),
    path("invitation/<str:invite_token>/", joining.accept_invitation, name="accept_invitation"),
    path(
        "invitation/<str:invite_token>/stop/",
        joining.stop_invitations,
        name="stop_invitations",
    ),
    path("join/<str:invite_token>/", joining.accept_link, name="accept_link"),
    path("exit/<str:exit_token>/", exit.register, name="exit_register"),
    path("api/offboarding/", api.offboarding, name="offboarding_api"),
]
