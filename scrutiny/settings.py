"""Settings for Critical Friend, read from the environment with safe defaults.

DEBUG is off unless asked for; SECRET_KEY is required whenever DEBUG is off (tests excepted);
DATABASE_URL defaults to a SQLite file under var/.
"""

import datetime as dt
import importlib.util
import os
from pathlib import Path

import dj_database_url

from scrutiny.startup import SettingError

BASE_DIR = Path(__file__).resolve().parent.parent


def shown(url: str) -> str:
    """A URL as an error message may show it: without a password."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}://…@{rest.rpartition('@')[2]}" if sep and "@" in rest else url


def env_int(name, default, *, minimum=0):
    """A whole-number setting: CF_LOGIN_FAILURE_LIMIT=abc fails at start, naming it."""
    value = os.environ.get(name, "").strip() or str(default)
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, f"a whole number (default {default})", value) from None
    if number < minimum:
        raise SettingError(name, f"a whole number of at least {minimum}", value)
    return number


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = os.environ.get("CF_ENV") == "test"
DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-never-use-in-production"
# Outside DEBUG an empty key is refused where it matters: servers and workers refuse to start
# (require_serving_settings, called by scrutiny/startup.py), and Django refuses any use of it
# (sessions, signing, CSRF). Offline commands that never sign anything (makemigrations, check,
# deadline) still run without one.


def require_secret_key():
    if not SECRET_KEY:
        raise SettingError("SECRET_KEY", "set when DEBUG is off (a long random string)")


def require_serving_settings():
    """What a server or worker needs that an offline command does not (scrutiny/startup.py):
    a real SECRET_KEY and, outside DEBUG, an https SITE_URL and ALLOWED_HOSTS."""
    require_secret_key()
    if DEBUG or TESTING:
        return
    if not SITE_IS_HTTPS:
        raise SettingError(
            "SITE_URL", "the https:// address people reach the site at when DEBUG is off", SITE_URL
        )
    if not ALLOWED_HOSTS:
        raise SettingError("ALLOWED_HOSTS", "set when DEBUG is off (e.g. scrutiny.example.org)")


ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people reach this site at, for links in e-mails, feeds and downloads. Unset, it
# follows HOST and PORT (what `make run` serves on).
SITE_URL = os.environ.get(
    "SITE_URL",
    f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}",
).rstrip("/")
SITE_IS_HTTPS = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    # Two-factor sign-in: TOTP (authenticator apps) and static recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "workflows",
    "scrutiny.casework",
    "protocols",
    "api",
    "scrutiny.web",
    "scrutiny.demo",
    "scrutiny.web.accounts",
]

MIDDLEWARE = [
    "scrutiny.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then anyone who still owes a second factor is sent to the
    # code step or to enrolment (scrutiny.web.accounts).
    "django_otp.middleware.OTPMiddleware",
    "scrutiny.web.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "scrutiny.web.middleware.SecurityHeadersMiddleware",
    # Domain errors a page lets through become the 403, 404, 409 or 400 page (scrutiny.web.errors).
    "scrutiny.web.errors.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "signed out for N minutes" page.
    "axes.middleware.AxesMiddleware",
]

if not (DEBUG or TESTING):
    # Production serves static files from STATIC_ROOT (collectstatic); runserver does in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "scrutiny.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "scrutiny.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scrutiny.web.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{BASE_DIR / 'var' / 'critical-friend.sqlite3'}"


def database_from_url(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError:
        config = {}
    if not config.get("ENGINE") or not config.get("NAME"):
        raise SettingError(
            "DATABASE_URL", "postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH", shown(url)
        )
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or _default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)

# Issue 13, staff pages at scale (docs/decisions/0019-visibility-at-scale.md): PostgreSQL's JIT
# compiles any query the planner costs above jit_above_cost; the dashboard's queries (an EXISTS
# per item) cross it at national scale and spent 4.7 s of 5.7 s compiling. Off for this
# short-query workload unless CF_PG_JIT=true; a pooler that refuses startup options: set
# `jit = off` on the database (ALTER DATABASE ... SET jit = off) and CF_PG_JIT=true.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("CF_PG_JIT"):
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """CACHE_URL: db://TABLE (the embedded default: every process on one database agrees),
    redis://HOST:PORT/DB or rediss://… (production), locmem:// (one process; tests)."""
    scheme, _, rest = url.partition("://")
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest or "cf_cache",
        }
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise SettingError(
        "CACHE_URL", "db://TABLE, redis://HOST:PORT/DB, locmem:// or dummy://", shown(url)
    )


# Public pages, their version, API throttles, the suggestion limit and sign-in throttling all
# live in this cache, so it must be shared by every web process (docs/deploy.md).
CACHES = {
    "default": cache_from_url(
        os.environ.get("CACHE_URL", "locmem://cf-tests" if TESTING else "db://cf_cache")
    )
}

AUTHENTICATION_BACKENDS = [
    # First: refuses to authenticate a locked-out username and address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # The policy answers has_perm for its own permissions (and no backend after it may grant
    # them); docs/decisions/0011-one-policy.md.
    "scrutiny.casework.policy.PolicyBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors see only what is published
GUARDIAN_RAISE_403 = False
# Sign-in throttling for staff and the admin (django-axes): after CF_LOGIN_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is locked out for CF_LOGIN_COOLOFF_MINUTES
# (an administrator can unlock it sooner: admin -> Axes -> Access attempts, or
# `manage.py axes_reset_username USERNAME`). A right password resets the count.
AXES_FAILURE_LIMIT = env_int("CF_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("CF_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "scrutiny.web.client.client_address"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Two-factor sign-in (docs/decisions/0014-two-factor-sign-in.md): anyone with a device is asked
# for a code after the password. Superusers and staff (the admin site) must set one up, and so
# must anyone holding a role listed in CF_2FA_REQUIRED_ROLES (comma-separated: officer, member,
# chair, responder, or the roles' own values). CF_2FA_ENFORCE=0 turns the "must set one up"
# off (the test suite's default, whose tests of it turn it on); never in production.
CF_2FA_REQUIRED_ROLES = env_list("CF_2FA_REQUIRED_ROLES")
CF_2FA_ENFORCE = env_bool("CF_2FA_ENFORCE", not TESTING)
OTP_TOTP_ISSUER = os.environ.get("CF_2FA_ISSUER", "Critical Friend")
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/signed-in/"  # each person to their own work (scrutiny.web.landing)
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

if TESTING:
    # Tests create many users; a fast hasher keeps the suite quick. Never outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "critical-friend@localhost")
# Seconds before an unreachable mail server counts as a failed attempt (then retried later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# GOV.UK Notify instead of SMTP (optional): pip install 'critical-friend[govuk-notify]', set
# EMAIL_BACKEND=django_gov_notify.backends.NotifyEmailBackend and these two. Notify sends the
# plain-text body through a template whose subject is ((subject)) and body ((body)).
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", "")

# Secure by default when DEBUG is off and the site is served over https (docs/deploy.md): each
# is overridable from the environment. Behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto (the proxy must set or strip that header).
_secure = SITE_IS_HTTPS and not (DEBUG or TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _secure)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _secure)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _secure)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _secure)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_"),
        "https",
    )
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Webhook addresses must resolve to public addresses (api/webhooks.py); loopback is allowed only
# for local testing (DEBUG, the test suite), over http or https.
CF_WEBHOOK_ALLOW_LOOPBACK = env_bool("CF_WEBHOOK_ALLOW_LOOPBACK", DEBUG or TESTING)
# Sent with every response by scrutiny.web.middleware.SecurityHeadersMiddleware.
CF_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# Content-Security-Policy (django-csp): no inline script or style anywhere; the Swagger UI page
# gets its own policy (api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# How many reverse proxies in front of the web processes set X-Forwarded-For; the client address
# (throttles, rate limits, sign-in lockout) is read from that many hops back, never from a
# header the client can forge. 0: use the socket's address.
CF_TRUSTED_PROXY_COUNT = env_int("CF_TRUSTED_PROXY_COUNT", 0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # The client address for throttles: REMOTE_ADDR, or that many proxies back in
    # X-Forwarded-For (CF_TRUSTED_PROXY_COUNT). Never the whole header a client can forge.
    "NUM_PROXIES": CF_TRUSTED_PROXY_COUNT,
    # api/: throttling per API key, per signed-in person, per address for the public API.
    "DEFAULT_THROTTLE_RATES": {
        "api_key": os.environ.get("CF_API_RATE_KEY", "600/min"),
        "api_user": os.environ.get("CF_API_RATE_USER", "600/min"),
        "api_public": os.environ.get("CF_API_RATE_PUBLIC", "300/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Critical Friend API",
    "VERSION": "1.0.0",
    # api/: the health bodies' API and the public read API (see docs/api-guide.md).
    "DESCRIPTION": (
        "Health bodies read the information requests and recommendations addressed to them and "
        "respond (`Authorization: Bearer <key>`); anyone reads what is published under "
        "/api/v1/public/. Errors are RFC 9457 problem details. Guide: docs/api-guide.md."
    ),
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Sensitive models have no `objects` (their default manager is `all_objects`).
    "DEFAULT_QUERY_MANAGER": "_default_manager",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TopicStateEnum": "scrutiny.casework.models.TopicState",
        "RequestStateEnum": "scrutiny.casework.models.RequestState",
        "RecommendationStateEnum": "scrutiny.casework.models.RecommendationState",
        "RecommendationOutcomeEnum": "scrutiny.casework.models.RecommendationOutcome",
        "RequestOutcomeEnum": ["answered", "partially_answered", "refused"],
        "ImplementationStatusEnum": "scrutiny.casework.models.ImplementationStatus",
    },
    "SWAGGER_UI_DIST": "/api/docs/assets",
    "SWAGGER_UI_FAVICON_HREF": "/api/docs/assets/favicon-32x32.png",
    "TAGS": [
        {"name": "information requests", "description": "Requests addressed to your body."},
        {"name": "recommendations", "description": "Recommendations addressed to your body."},
        {"name": "responses", "description": "Your body's accountability log."},
        {"name": "webhooks", "description": "Be told when something is issued to your body."},
        {"name": "public", "description": "Published outcomes; no key needed."},
    ],
}

# The statutory clocks. Holiday region: "england-and-wales" (default), "scotland",
# "northern-ireland", or "united-kingdom" (a holiday in any part of the UK, as FOIA s10(6)).
CF_HOLIDAY_REGION = os.environ.get("CF_HOLIDAY_REGION", "england-and-wales")

# Background tasks (Django's task framework, django-tasks; docs/decisions/0013-scaling-out.md).
# TASKS_URL picks the queue: db:// (the embedded default) keeps it in our database
# (django-tasks-db) — a notification's delivery task is written in the same transaction as the
# change that caused it; redis://HOST:PORT/DB or rediss://… puts it in Redis (RQ, through
# django-tasks-rq), told after commit. `manage.py task_worker` runs the right worker for either.
# TASKS_BACKEND may instead name any django-tasks backend class by its dotted path.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks_from_url(url: str) -> tuple[str, dict]:
    """The backend's dotted path and the RQ queues (empty unless Redis) for TASKS_URL."""
    scheme, _, _ = url.partition("://")
    if url in {"", "db://"} or scheme == "db":
        return TASKS_BACKENDS["database"], {}
    if scheme in {"redis", "rediss"}:
        return TASKS_BACKENDS["rq"], {"default": {"URL": url, "DEFAULT_TIMEOUT": 300}}
    raise SettingError("TASKS_URL", "db:// (the database) or redis://HOST:PORT/DB", shown(url))


TASKS_URL = os.environ.get("TASKS_URL", "").strip()
_tasks_backend, RQ_QUEUES = tasks_from_url(TASKS_URL)
if os.environ.get("TASKS_BACKEND", "").strip():
    _named = os.environ["TASKS_BACKEND"].strip()
    _tasks_backend = TASKS_BACKENDS.get(_named, _named)
    if "." not in _tasks_backend or not importlib.util.find_spec(_tasks_backend.rpartition(".")[0]):
        raise SettingError(
            "TASKS_BACKEND", "database, rq, immediate or a backend's dotted path", _named
        )
    if _tasks_backend == TASKS_BACKENDS["rq"] and not RQ_QUEUES:
        raise SettingError(
            "TASKS_URL", "redis://HOST:PORT/DB when TASKS_BACKEND is rq", shown(TASKS_URL)
        )
TASKS_USE_RQ = _tasks_backend == TASKS_BACKENDS["rq"]
if TASKS_USE_RQ:
    INSTALLED_APPS += ["django_rq"]
    RQ_SHOW_ADMIN_LINK = False
TASKS = {"default": {"BACKEND": _tasks_backend, "QUEUES": ["default"]}}

# Deadlines and notifications (docs/deadlines-and-notifications.md).
# Working days before the due date for the first reminder; working days past the due date
# after which an item is "very overdue" and escalated to the lead body's chair.
# Replies by e-mail (scrutiny.casework.inbound): `manage.py receive_email` (piped by an MTA) or
# `manage.py poll_mailbox` (IMAP). Messages over the size limit are refused and logged.
CF_INBOUND_MAX_BYTES = env_int("CF_INBOUND_MAX_BYTES", 25 * 1024 * 1024, minimum=1)
CF_INBOUND_IMAP_HOST = os.environ.get("CF_INBOUND_IMAP_HOST", "")
CF_INBOUND_IMAP_PORT = env_int("CF_INBOUND_IMAP_PORT", 993, minimum=1)
CF_INBOUND_IMAP_USER = os.environ.get("CF_INBOUND_IMAP_USER", "")
CF_INBOUND_IMAP_PASSWORD = os.environ.get("CF_INBOUND_IMAP_PASSWORD", "")
CF_INBOUND_IMAP_FOLDER = os.environ.get("CF_INBOUND_IMAP_FOLDER", "INBOX")

# Health bodies in the loop (issue 11): auto-filing replies from known responders
# (docs/decisions/0017-inbound-trust.md). A reply is filed without an officer only when its
# sender is proven: an `Authentication-Results` header added by OUR mail server (its authserv-id
# here) saying dmarc=pass, or dkim=pass / spf=pass for the From domain. CF_INBOUND_TRUST_FROM=1
# trusts the From address as it stands (only behind a server that rejects spoofed mail).
CF_INBOUND_AUTHSERV_ID = os.environ.get("CF_INBOUND_AUTHSERV_ID", "").strip()
CF_INBOUND_TRUST_FROM = env_bool("CF_INBOUND_TRUST_FROM", False)
CF_REMINDER_WORKING_DAYS_BEFORE = env_int("CF_REMINDER_WORKING_DAYS_BEFORE", 5)
CF_VERY_OVERDUE_WORKING_DAYS = env_int("CF_VERY_OVERDUE_WORKING_DAYS", 20)
# Officers' daily digest goes out on working days at the first sweep after this local time.
CF_DIGEST_TIME = os.environ.get("CF_DIGEST_TIME", "07:00")
# Delivery retries: attempts before a notification is marked failed (it stays in the outbox and
# can be retried), and the backoff: BASE seconds doubled per attempt, capped at MAX seconds.
CF_NOTIFY_MAX_ATTEMPTS = env_int("CF_NOTIFY_MAX_ATTEMPTS", 12, minimum=1)
CF_NOTIFY_BACKOFF_BASE = env_int("CF_NOTIFY_BACKOFF_BASE", 60)
CF_NOTIFY_BACKOFF_MAX = env_int("CF_NOTIFY_BACKOFF_MAX", 21600)
# A "due date moved" notice waits this long before it is sent, so that a change undone at once
# (an edit and its revert) sends nothing (workflows.notifications.notify_due_date_changes).
CF_DUE_DATE_NOTICE_HOLD_MINUTES = env_int("CF_DUE_DATE_NOTICE_HOLD_MINUTES", 15)
# The scheduler's jobs (`manage.py run_scheduler`; workflows/scheduler.py): a management command
# run every so many seconds, or the task worker's heartbeat.
CF_SCHEDULE = [
    {"name": "sweep_deadlines", "command": "sweep_deadlines", "every_seconds": 300},
    {"name": "purge_idempotency_keys", "command": "purge_idempotency_keys", "every_seconds": 3600},
    {"name": "purge_suggestions", "command": "purge_suggestions", "every_seconds": 86400},
    {"name": "heartbeat", "every_seconds": 60},
    {"name": "recover_tasks", "command": "recover_tasks", "every_seconds": 300},
    {"name": "follow_dispatch", "command": "follow_dispatch", "every_seconds": 60},
    {"name": "follow_digests", "command": "follow_digests", "every_seconds": 3600},
]
# The packages' clocks that the sweep acts on (each module registers its clock sources).
CF_CLOCK_SOURCE_MODULES = ["scrutiny.casework.deadline_sources", "protocols.deadline_sources"]


# Meeting governance (issue 15 item 3): the municipal year starts on CF_MUNICIPAL_YEAR_STARTS
# (month-day, default 05-01) or, with CF_MUNICIPAL_YEAR_AFTER_ANCHOR (default on), on the working
# day following it: seats on committees are held by municipal year.
def _month_day(name, default):
    value = os.environ.get(name, "").strip() or default
    try:
        month, day = (int(part) for part in value.split("-"))
        dt.date(2001, month, day)  # not 29 Feb: every year has the day
    except ValueError:
        raise SettingError(name, f"a month and day as MM-DD (default {default})", value) from None
    return month, day


CF_MUNICIPAL_YEAR_STARTS = _month_day("CF_MUNICIPAL_YEAR_STARTS", "05-01")
CF_MUNICIPAL_YEAR_AFTER_ANCHOR = env_bool("CF_MUNICIPAL_YEAR_AFTER_ANCHOR", True)

# Every line carries the request id (RequestIdMiddleware; "-" outside a request); LOG_FORMAT=json
# writes one JSON object per line for a log collector.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "workflows.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "workflows.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint (agenda packs) logs each step of each PDF at INFO: only its warnings.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Batch jobs at national scale (issue 13, part "hbatch"; docs/decisions/0021): the sweep reads
# its candidate clocks in batches of this many, each written in one transaction with one
# delivery task.
CF_SWEEP_BATCH = env_int("CF_SWEEP_BATCH", 500, minimum=1)

# National-scale benchmark (issue 13: bench/national.py, docs/decisions/0025).
# CF_BENCH_ANCHORS=1 mounts the anchors under /bench/ (a trivial view and a plain DRF list, for
# the benchmark to compare the pages with): never in a normal deployment. CF_PUBLIC_CACHE_SECONDS
# is how long a public page stays cached (0: not at all — the benchmark's "cold" server).
CF_BENCH_ANCHORS = env_bool("CF_BENCH_ANCHORS", False)
CF_PUBLIC_CACHE_SECONDS = env_int("CF_PUBLIC_CACHE_SECONDS", 300)
