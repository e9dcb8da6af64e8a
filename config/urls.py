from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tsunagu.accounts import views as account_views
from tsunagu.core.views import brand_stylesheet, healthz, livez
from tsunagu.onboarding.views import api as hook_views
from tsunagu.onboarding.views import joining as joining_views
from tsunagu.tenancy import views as tenancy_views

network_patterns = [
    path("", include("tsunagu.feed.urls")),
    path("", include("tsunagu.tenancy.urls")),
    path("", include("tsunagu.notify.urls")),
    path("", include("tsunagu.profiles.urls")),
    path("", include("tsunagu.audit.urls")),
    path("events/", include("tsunagu.events.urls")),
    path("boards/", include("tsunagu.boards.urls")),
    path("", include("tsunagu.onboarding.urls")),
    path("news/", include("tsunagu.news.urls")),
    path("careers/", include("tsunagu.careers.urls")),
    path("talk/", include("tsunagu.talk.urls")),
    path("", include("tsunagu.insights.programme_urls")),
    path("insights/", include("tsunagu.insights.urls")),
    path("surveys/", include("tsunagu.surveys.urls")),
    path("digest/", include("tsunagu.digest.urls")),
    path("manage/announcements/", include("tsunagu.announce.urls")),
    path("", include("tsunagu.consent.urls")),
    path("links/", include("tsunagu.collab.urls")),
]

urlpatterns = [
    path("", tenancy_views.landing, name="home"),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("brand.css", brand_stylesheet, name="brand_css"),
    path("welcome/", joining_views.after_login, name="after_login"),
    path("api/offboarding/openapi.json", hook_views.openapi, name="offboarding_openapi"),
    path("language/", account_views.set_language, name="set_language"),
    path("accounts/settings/", account_views.account_settings, name="account_settings"),
    path("accounts/privacy/", include("tsunagu.privacy.urls")),
    path("mail/bounces/", account_views.bounce_webhook, name="bounce_webhook"),
    # allauth's sign-up, naming the network of the invitation it was opened from.
    path("accounts/signup/", joining_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The installable app (manifest, service worker, offline page) and devices' push subscriptions.
    path("", include("tsunagu.push.urls")),
    path("n/<network:network_slug>/", include(network_patterns)),
]

# A request refused before LocaleMiddleware (a disallowed host) still gets its own language.
handler400 = "tsunagu.core.badrequest.bad_request"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
