"""Tsunagu settings: one module, driven by environment variables.

With no variables set it runs embedded: SQLite in WAL mode, an in-memory channel layer, tasks run
in-process, mail printed to the console and media on the local disk. Production sets at least
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL`` (see docs/deployment.md).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A variable set to the empty string counts as unset."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def data_dir_secret_key(path: Path) -> str:
    """The embedded setup's key: random, made once into DATA_DIR, readable by this user only (a
    temporary file is created 0600), and read again on every later start, so sessions and signed
    links outlive a restart. It is linked into place, which fails if the file exists: processes
    starting together all end with the first one's key."""
    if not path.exists():
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key: set SECRET_KEY or delete it.")
    return key


# --- Core -------------------------------------------------------------------------------------
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
_secret = env("SECRET_KEY")
# Without a SECRET_KEY we are the embedded, single-machine setup: debug pages on, and a key of
# its own in DATA_DIR (never a public one: anyone could sign sessions and links with it).
DEBUG = env_bool("DEBUG", default=not _secret)
SECRET_KEY_FILE = None if _secret else DATA_DIR / "secret_key"
SECRET_KEY = _secret or data_dir_secret_key(DATA_DIR / "secret_key")
# `make run` serves debug pages on an address other machines reach only when this is set.
ALLOW_PUBLIC_DEBUG = env_bool("ALLOW_PUBLIC_DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "channels",
    "django_htmx",
    "django_scopes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "tsunagu.core",
    "tsunagu.accounts",
    "tsunagu.tenancy",
    "tsunagu.realtime",
    "tsunagu.notify",
    "tsunagu.audit",
    "tsunagu.profiles",
    "tsunagu.events",
    "tsunagu.boards",
    "tsunagu.onboarding",
    "tsunagu.news",
    "tsunagu.careers",
    "tsunagu.feed",
    "tsunagu.talk",
    "tsunagu.insights",
    "tsunagu.surveys",
    "tsunagu.digest",
    "tsunagu.announce",
    "tsunagu.push",
    "tsunagu.privacy",
    "tsunagu.consent",
    "tsunagu.collab",
    # Above every feature: seeds each of them (manage.py seed_demo).
    "tsunagu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tsunagu.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tsunagu.core.badrequest.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tsunagu.core.middleware.HtmxVaryMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tsunagu.accounts.middleware.UserLanguageMiddleware",
    "tsunagu.accounts.middleware.UserTimeZoneMiddleware",
    "tsunagu.tenancy.middleware.NetworkMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tsunagu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagu.tenancy.context_processors.network",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
_database_url = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tsunagu.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE transactions take the write lock up
    # front so two writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env("DATABASE_TEST_NAME", ""):
    # Lets two test runs share one server, each with its own test database.
    DATABASES["default"]["TEST"] = {"NAME": env("DATABASE_TEST_NAME", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, task broker --------------------------------------------------
REDIS_URL = env("REDIS_URL")
# Every process reads the same cache: rows that writes drop from the cache (the signed-in user,
# memberships) may then be read from it. Without Redis each process has its own.
SHARED_CACHE = bool(REDIS_URL)
# Every cache key begins with this prefix (keys are named in tsunagu/core/caching.py). Raise
# CACHE_SCHEMA with any change to the code that changes the shape of something kept in the cache:
# the deployment then never reads what the previous code wrote, at the price of a cold cache.
CACHE_SCHEMA = 3
CACHE_KEY_PREFIX = f"tsunagu:s{CACHE_SCHEMA}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tsunagu.core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": "tsunagu:ch:",
                # A process's sockets share one Redis list, and its room hub receives every room
                # event of the process there: room for bursts.
                "capacity": 1000,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
# No broker: run tasks in-process, right after the transaction that queued them commits.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A retry waits at most an hour (accounts/delivery.py); Redis must not hand a task that waits
# for its time to a second worker meanwhile, as it does after the visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TIMEZONE = "Asia/Tokyo"
# Run by `celery -A config beat` (one process per site; see docs/operations.md).
CELERY_BEAT_SCHEDULE = {
    "event-reminders": {
        "task": "tsunagu.events.tasks.send_event_reminders",
        "schedule": 15 * 60,
    },
    "event-follow-ups": {
        "task": "tsunagu.events.tasks.send_event_follow_ups",
        "schedule": 60 * 60,
    },
    "invitation-reminders": {
        "task": "tsunagu.onboarding.tasks.send_invitation_reminders",
        "schedule": 24 * 60 * 60,
    },
    "scheduled-invitations": {
        "task": "tsunagu.onboarding.tasks.send_scheduled_invitations",
        "schedule": 60 * 60,
    },
    "abandoned-roster-uploads": {
        "task": "tsunagu.onboarding.tasks.forget_abandoned_uploads",
        "schedule": 24 * 60 * 60,
    },
    "hook-idempotency-keys": {
        "task": "tsunagu.onboarding.tasks.forget_old_hook_calls",
        "schedule": 24 * 60 * 60,
    },
    "survey-invitations": {
        "task": "tsunagu.surveys.tasks.send_survey_invitations",
        "schedule": 15 * 60,
    },
    "survey-reminders": {
        "task": "tsunagu.surveys.tasks.send_survey_reminders",
        "schedule": 60 * 60,
    },
    # Anonymous answers still waiting for their batch when a survey closes are written.
    "survey-closed-batches": {
        "task": "tsunagu.surveys.tasks.write_closed_batches",
        "schedule": 15 * 60,
    },
    "news-due-articles": {
        "task": "tsunagu.news.tasks.announce_due_articles",
        "schedule": 5 * 60,
    },
    "digests": {
        "task": "tsunagu.digest.tasks.plan_digests",
        "schedule": 60 * 60,
    },
    # Announcement e-mails whose chunks were lost (a broker restarted, a worker died) resume.
    "announcement-resume": {
        "task": "tsunagu.announce.tasks.resume_announcements",
        "schedule": 15 * 60,
    },
    "careers-close-due": {
        "task": "tsunagu.careers.tasks.close_due_opportunities",
        "schedule": 60 * 60,
    },
    "careers-deadline-reminders": {
        "task": "tsunagu.careers.tasks.remind_posters",
        "schedule": 60 * 60,
    },
    # Accounts whose grace period ended are erased; expired exports are deleted.
    "privacy-due-erasures": {
        "task": "tsunagu.privacy.tasks.erase_due_accounts",
        "schedule": 60 * 60,
    },
    "privacy-expired-exports": {
        "task": "tsunagu.privacy.tasks.delete_expired_exports",
        "schedule": 24 * 60 * 60,
    },
    # The dashboard's figures for the usual periods, computed at night (03:10 Tokyo).
    "insights-figures": {
        "task": "tsunagu.insights.tasks.refresh_figures",
        "schedule": crontab(hour=3, minute=10),
    },
    # The operators' monthly letter of early warnings, on the first of the month.
    "insights-warnings": {
        "task": "tsunagu.insights.tasks.send_monthly_warnings",
        "schedule": crontab(day_of_month=1, hour=9, minute=0),
    },
    # Requests for links between networks that waited their 30 days without a link.
    "collab-request-lapse": {
        "task": "tsunagu.collab.tasks.lapse_requests",
        "schedule": 60 * 60,
    },
    # Records of members' data shown to linked networks, past their three years (03:50 Tokyo).
    "collab-disclosure-retention": {
        "task": "tsunagu.collab.tasks.purge_old_disclosures",
        "schedule": crontab(hour=3, minute=50),
    },
    # Invitations, notifications and audit entries past their retention period (03:40 Tokyo).
    "retention": {
        "task": "tsunagu.audit.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=40),
    },
}
# How long records are kept before the nightly purge deletes them (0: kept for ever). Operators
# see these periods on the audit log page; see "Retention" in docs/operations.md.
RETENTION_INVITATION_MONTHS = int(env("RETENTION_INVITATION_MONTHS", "24"))
RETENTION_NOTIFICATION_MONTHS = int(env("RETENTION_NOTIFICATION_MONTHS", "12"))
RETENTION_AUDIT_YEARS = int(env("RETENTION_AUDIT_YEARS", "3"))
# Invitation and announcement e-mails leave in chunks of this many a minute, so a roster of
# thousands does not make the mail server look like a spammer.
INVITATION_EMAILS_PER_MINUTE = int(env("INVITATION_EMAILS_PER_MINUTE", "60"))
# The directory's filter choices are gathered again after every change of the directory, and at
# least this often (seconds) for changes that reach no row; one request rebuilds them while the
# others keep the previous ones (bench/directory_search.py --stall sets it low to watch that).
DIRECTORY_CHOICES_REFRESH_SECONDS = int(env("DIRECTORY_CHOICES_REFRESH_SECONDS", "3600"))

# --- Auth and accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # allauth's (log in by e-mail), reading the signed-in user through the cache.
    "tsunagu.accounts.backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Back to the invitation someone signed up from, wherever they log in (onboarding/joins.py).
LOGIN_REDIRECT_URL = "after_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "tsunagu.accounts.forms.SignupForm"
ACCOUNT_FORMS = {"signup": "tsunagu.accounts.signup.AccountSignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# Signing up or resetting a password answers the same for known and unknown addresses, after the
# same work (a password hash and one mail, queued); the owner of an existing address learns by
# mail that someone tried to sign up with it.
ACCOUNT_PREVENT_ENUMERATION = True
# Rate limits count clients by address. Behind nginx every request comes from 127.0.0.1; the
# client's address is in X-Forwarded-For, which is read only when this says how many proxies in
# front of the application are ours (1 for the documented nginx). 0: the header is ignored.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    # The exit interview's registration page (onboarding/exit.py): a leaver types an address
    # once or twice; more than this from one address is someone guessing codes.
    "exit_registration": "10/10m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tsunagu] "
ACCOUNT_ADAPTER = "tsunagu.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tsunagu"

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tsunagu" / "locale"]
# Named date formats per language (docs/style-ja.md): 2026年12月7日(月) 19:44.
FORMAT_MODULE_PATH = ["tsunagu.core.formats"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOGO_MAX_BYTES = 2 * 1024 * 1024
# Width × height above which an uploaded image is refused, read from its header before anything
# is decoded: storing one takes up to about 5 bytes a pixel of memory (core/images.py).
MAX_IMAGE_PIXELS = int(env("MAX_IMAGE_PIXELS", str(50_000_000)))
# Files members attach to board posts: kept outside MEDIA_ROOT, which the web server publishes,
# and served only through a view that checks who is asking.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))
BOARD_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# Files posted in talk rooms (slides, recordings of a self-introduction session).
TALK_ATTACHMENT_MAX_BYTES = int(env("TALK_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Flood control: at most this many messages per member in each window of this many seconds.
TALK_RATE_MESSAGES = int(env("TALK_RATE_MESSAGES", "20"))
TALK_RATE_SECONDS = int(env("TALK_RATE_SECONDS", "10"))

# --- Mail --------------------------------------------------------------------------------------
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A mail server that stops answering holds a worker this many seconds, not for ever.
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Tsunagu <no-reply@localhost>")
# The mail provider's bounce notifications (POST /mail/bounces/, accounts/bounces.py) must send
# this secret; without it the address answers 404.
BOUNCE_WEBHOOK_SECRET = env("BOUNCE_WEBHOOK_SECRET")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Push to members' devices (Web Push, tsunagu/push) -----------------------------------------
# The VAPID pair that signs every push; without it push is off (nothing offered, nothing sent).
# `manage.py generate_vapid_keys` prints a new pair. The embedded setup makes its own into DATA_DIR.
TSUNAGU_VAPID_PRIVATE_KEY = env("TSUNAGU_VAPID_PRIVATE_KEY")
TSUNAGU_VAPID_PUBLIC_KEY = env("TSUNAGU_VAPID_PUBLIC_KEY")
if SECRET_KEY_FILE is not None and not (TSUNAGU_VAPID_PRIVATE_KEY or TSUNAGU_VAPID_PUBLIC_KEY):
    from tsunagu.push.vapid import data_dir_private_key, public_key_of

    TSUNAGU_VAPID_PRIVATE_KEY = data_dir_private_key(DATA_DIR / "vapid_private_key")
    TSUNAGU_VAPID_PUBLIC_KEY = public_key_of(TSUNAGU_VAPID_PRIVATE_KEY)
# Whom the push services may write to about our pushes (a mailto: or https: address).
TSUNAGU_VAPID_SUBJECT = env(
    "TSUNAGU_VAPID_SUBJECT", "mailto:" + (parseaddr(DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost")
)
# Subscriptions are accepted only for these push services (a host or its subdomains): the server
# sends a request to every address it accepts, which must never be a machine of our own network.
TSUNAGU_PUSH_SERVICE_HOSTS = env_list(
    "TSUNAGU_PUSH_SERVICE_HOSTS",
    "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com",
)
# A push service on this machine (http://127.0.0.1, localhost): for development and the tests.
TSUNAGU_PUSH_ALLOW_LOCAL = env_bool("TSUNAGU_PUSH_ALLOW_LOCAL", default=DEBUG)
# Seconds a push service may take to answer before the push is tried again later.
TSUNAGU_PUSH_TIMEOUT = float(env("TSUNAGU_PUSH_TIMEOUT", "10"))

# --- Security ----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "tsunagu.core.views.csrf_failure"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # The preload directive alone enrols nobody: a domain is listed only once submitted.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # Tasks run in-process when there is no broker: one line per task would drown the log.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# --- Privacy: export and erasure (tsunagu/privacy) ----------------------------------------------
# Days between asking for one's account to be erased and the erasure; cancellable meanwhile.
ERASURE_GRACE_DAYS = int(env("ERASURE_GRACE_DAYS", "14"))
