"""Settings for emtihan.

Every deploy-specific value comes from an environment variable read through the small
typed helpers below (``envbool``, ``envint``, ``envstr``). A ``NAME_FILE`` variable, if
set, is read instead of ``NAME`` so secrets can come from files (Docker/K8s secrets).
SQLite is the default database; ``DATABASE_URL`` switches to PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = envstr(name, "")
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = envstr(name, "")
    return int(value) if value else default


DEBUG = envbool("DEBUG", False)

# SECRET_KEY signs sessions, password-reset links and the login throttle's device
# cookies: anyone who knows it can forge them. The development key below is public (it is
# in this file), so it is used only with DEBUG on; without DEBUG, emtihan refuses to start
# unless SECRET_KEY (or SECRET_KEY_FILE) names a key of its own. `make demo` keeps a
# generated one in data/secret_key, the tests set theirs (settings_test.py).
DEVELOPMENT_SECRET_KEY = "insecure-dev-key-change-me-" + "0" * 20
SECRET_KEY = envstr("SECRET_KEY", "") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY == DEVELOPMENT_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set, or is a public development key, and DEBUG is off. Set "
        "SECRET_KEY (or SECRET_KEY_FILE, a file holding it) to a long random string kept "
        "secret, e.g. the output of: python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'. For development on your own machine set "
        "DEBUG=true instead (see docs/OPERATIONS.md)."
    )
ALLOWED_HOSTS = [
    h for h in envstr("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")
# Days a student has to appeal a released result (docs/GRADING.md, "Appeals").
GRADING_APPEAL_DAYS = envint("GRADING_APPEAL_DAYS", 3)
# How long a sitting token stays valid (attempts/tokens.py; docs/EXAM-SITTING.md): the exam
# page renews it by a heartbeat (every 30 s) that its session authenticates, so logout, a
# password change or a deactivation reaches the answer writes within this many seconds.
ATTEMPT_TOKEN_SECONDS = envint("ATTEMPT_TOKEN_SECONDS", 300)
# Until a token is this old, the page's heartbeat may present it instead of the session
# (and gets the same token back); the first heartbeat after that goes by the session and
# renews it. 0 sends every heartbeat through the session; more than ATTEMPT_TOKEN_SECONDS
# counts as that (tokens.token_read).
ATTEMPT_TOKEN_RENEW_SECONDS = envint("ATTEMPT_TOKEN_RENEW_SECONDS", ATTEMPT_TOKEN_SECONDS // 2)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves /api/v1/docs from its own static files, not a CDN (the CSP allows no CDN)
    "django_tasks",
    "django_tasks_db",
    "emtihan.core",
    "emtihan.accounts",
    "emtihan.audit",
    "emtihan.university",
    "emtihan.umkd",
    "emtihan.examforms",
    "emtihan.exams",
    "emtihan.attempts",
    "emtihan.proctoring",
    "emtihan.grading",
    "emtihan.demo",
]

MIDDLEWARE = [
    # outermost: reads what a view left of the request body (see the class for why)
    "emtihan.core.middleware.RequestBodyDrainMiddleware",
    # The exam page's answer writes with a valid sitting token (attempts/tokens.py) leave
    # here for the short chain of SITTING_TOKEN_MIDDLEWARE below.
    "emtihan.attempts.middleware.AttemptTokenMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (after collectstatic), each with the .gz copy that
    # CompressedStaticFilesStorage writes, for browsers that accept gzip (OPERATIONS.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "emtihan.accounts.middleware.UserLanguageMiddleware",
    "emtihan.accounts.middleware.UserTimeZoneMiddleware",
    "emtihan.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "emtihan.core.middleware.CSPMiddleware",
]

# What a request authenticated by its sitting token goes through after
# AttemptTokenMiddleware, instead of the rest of MIDDLEWARE: the same response headers,
# and nothing that reads a session or a user (docs/ARCHITECTURE.md, "The sitting token's
# lane"). A middleware that adds a header every response must carry goes in both lists.
SITTING_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "emtihan.core.middleware.CSPMiddleware",
]

ROOT_URLCONF = "emtihan.urls"
WSGI_APPLICATION = "emtihan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "emtihan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "emtihan.accounts.context_processors.site",
            ],
        },
    },
]

DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "data")))
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'emtihan.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer commits; IMMEDIATE makes a write
    # transaction take the write lock at BEGIN, so two writers queue instead of one
    # failing with "database is locked" half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # DB_PREPARE_THRESHOLD=N: server-side parameter binding, and psycopg prepares a query
    # on the server once it has run N times on a connection (5 is recommended: about a
    # third less PostgreSQL CPU per exam request; not behind a pooler in transaction mode).
    # DB_POOL_SIZE=N: Django's psycopg connection pool, at most N connections per web
    # process, instead of one persistent connection per thread (DB_CONN_MAX_AGE); it
    # saved nothing here. Both off by default (docs/OPERATIONS.md, "Production shape";
    # docs/BENCHMARKS.md, "CPU per request: what paid").
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    if envint("DB_POOL_SIZE", 0):
        _db_options["pool"] = {
            "min_size": envint("DB_POOL_MIN_SIZE", 2),
            "max_size": envint("DB_POOL_SIZE", 0),
            "timeout": envint("DB_POOL_TIMEOUT", 10),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django requires 0
    if envstr("DB_PREPARE_THRESHOLD", ""):
        _db_options["server_side_binding"] = True
        _db_options["prepare_threshold"] = envint("DB_PREPARE_THRESHOLD", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # first: refuses a throttled log-in before any password is checked (accounts/throttle.py)
    "emtihan.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The first hashes new passwords (argon2id, accounts/hashers.py); the others only verify
# older hashes, which the first replaces at the user's next successful log-in. Django's
# own Argon2PasswordHasher is left out: ours verifies every argon2 hash (docs/OPERATIONS.md,
# "Passwords").
PASSWORD_HASHERS = [
    "emtihan.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Threads per process that hash and check passwords, each with its 19 MiB (accounts/hashers.py).
PASSWORD_CHECK_THREADS = envint("PASSWORD_CHECK_THREADS", 2)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# When true, a user whose password was set by the registry (students: their student ID)
# must choose a new one at first login before doing anything else.
FORCE_PASSWORD_CHANGE = envbool("FORCE_PASSWORD_CHANGE", False)

# The client's address (accounts/throttle.py, docs/OPERATIONS.md "Log-in throttling"):
# behind N reverse proxies that each append to CLIENT_IP_HEADER, set TRUSTED_PROXY_COUNT=N.
# 0 (the default) reads REMOTE_ADDR and ignores the header, which a browser can forge.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
CLIENT_IP_HEADER = envstr("CLIENT_IP_HEADER", "X-Forwarded-For")
# Log-in throttling over a sliding window: failures per account (from devices that never
# logged in to it) and per client address over all accounts (password spraying).
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = envint("LOGIN_IP_FAILURE_LIMIT", 30)
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", 15)
# How long a browser stays a known device of an account after its last log-in there.
LOGIN_DEVICE_DAYS = envint("LOGIN_DEVICE_DAYS", 180)
# "Forgot password": mails per e-mail and per client address in the window.
PASSWORD_RESET_LIMIT = envint("PASSWORD_RESET_LIMIT", 3)
PASSWORD_RESET_IP_LIMIT = envint("PASSWORD_RESET_IP_LIMIT", 20)
PASSWORD_RESET_WINDOW_MINUTES = envint("PASSWORD_RESET_WINDOW_MINUTES", 60)

LANGUAGE_CODE = "kk"
LANGUAGES = [
    ("kk", "Қазақша"),
    ("ru", "Русский"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "emtihan" / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "emtihan_language"

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


def _immutable_static(path: str, url: str) -> bool:
    """The exam page's lazily loaded chunks carry a content hash in their names and its
    fonts never change within a release; the face worker's models and .wasm are in folders
    named by their package versions (face/human-3.3.6/): browsers may keep them for a year."""
    return any(f"/attempts/{d}/" in url for d in ("chunks", "fonts", "face"))


WHITENOISE_IMMUTABLE_FILE_TEST = _immutable_static
# Uploads larger than this stay on disk while they are checked, not in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 30 * 1024 * 1024)
# UMKD documents (the exam programme is one document of text and tables).
UMKD_MAX_UPLOAD_BYTES = envint("UMKD_MAX_UPLOAD_MB", 20) * 1024 * 1024
# Registry files can hold the whole university.
REGISTRY_MAX_UPLOAD_BYTES = envint("REGISTRY_MAX_UPLOAD_MB", 50) * 1024 * 1024
# Exams and their question imports (docs/EXAMS.md, "Limits"). An exam holds at most
# EXAM_MAX_QUESTIONS questions, fixed and pooled together, however they were added.
EXAM_MAX_QUESTIONS = envint("EXAM_MAX_QUESTIONS", 1000)
# A Moodle XML or GIFT file: at most this big; read for at most this long; files up to
# QUESTION_IMPORT_INLINE_KB are read while the teacher waits, bigger ones by `db_worker`.
QUESTION_IMPORT_MAX_BYTES = envint("QUESTION_IMPORT_MAX_MB", 20) * 1024 * 1024
QUESTION_IMPORT_MAX_SECONDS = envint("QUESTION_IMPORT_MAX_SECONDS", 120)
QUESTION_IMPORT_INLINE_BYTES = envint("QUESTION_IMPORT_INLINE_KB", 256) * 1024

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "emtihan <noreply@emtihan.local>")

# Background work: the django_tasks backport of Django 6's tasks API. The database
# backend needs no extra service (run `manage.py db_worker`); TASKS_BACKEND=immediate
# runs tasks inline (tests, tiny installs); TASKS_BACKEND=rq keeps the queue in Redis
# (TASKS_REDIS_URL, else REDIS_URL) for workers on other machines: `manage.py rqworker
# default` (docs/OPERATIONS.md, "Background work on other machines").
_tasks_backend = envstr("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            # django-tasks-rq, holding a job enqueued in a transaction until it commits
            "rq": "emtihan.core.tasks_rq.CommitRQBackend",
        }[_tasks_backend],
    }
}
if _tasks_backend == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # Every task is on django_tasks' "default" queue. A job may run for an hour (an
    # exam's archive); its result is kept for a day (`get_result`), a failure for a year.
    RQ_QUEUES = {
        "default": {
            "URL": envstr("TASKS_REDIS_URL", envstr("REDIS_URL", "")),
            "DEFAULT_TIMEOUT": envint("TASKS_TIMEOUT", 3600),
            "DEFAULT_RESULT_TTL": 24 * 3600,
        }
    }
    # The worker runs the jobs in its own process, the face models staying loaded.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "emtihan.core.tasks_rq.Worker"}
    if not RQ_QUEUES["default"]["URL"]:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (or TASKS_REDIS_URL).")

# Redis, for installations that need more than one small server (docs/OPERATIONS.md):
# with REDIS_URL the cache lives there and sessions are read from it (written through to
# the database, so a Redis restart logs nobody out). Every request of the exam page
# otherwise reads its session from PostgreSQL. Without REDIS_URL: a per-process cache and
# sessions in the database, nothing else to run.
REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "emtihan"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SESSION_COOKIE_HTTPONLY = True
# SECURE_DEPLOYMENT=true: served over HTTPS behind a reverse proxy that terminates TLS and
# sets X-Forwarded-Proto (docs/OPERATIONS.md, "HTTPS"). One switch for the settings that
# only make sense there, each with its own variable to adjust it.
SECURE_DEPLOYMENT = envbool("SECURE_DEPLOYMENT", False)
if SECURE_DEPLOYMENT:
    # The proxy tells Django the browser's scheme; it must overwrite any header of that
    # name the browser sent, or a plain-HTTP request could claim to be HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # A load balancer's health check may come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = SECURE_DEPLOYMENT
CSRF_COOKIE_SECURE = SECURE_DEPLOYMENT
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp; docs/OPERATIONS.md, "Content-Security-Policy"). No
# inline script runs unless it carries this response's nonce, and no template has one
# that needs it: behaviour lives in static files (emtihan/app.js, the exam page's bundle).
# 'self' stays beside the nonce for Django's admin, whose <script src> tags carry none.
# Styles: files from 'self'; a <style> element only with the nonce, or when it is the one
# the rich-text editor (Tiptap, in the bundle built from frontend/) injects, allowed by
# the hash of its fixed text (TIPTAP_STYLE_HASH; core/tests/test_browser_csp.py fails, and
# prints the new hash, if a rebuilt bundle changes it). Style *attributes* are allowed
# (style-src-attr): MathLive and the editor position what they draw with them, set from
# the bundle, which cannot be given a nonce for them. A style attribute cannot run script.
TIPTAP_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, TIPTAP_STYLE_HASH],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The browser's face analysis runs in a Web Worker from the exam page's static
        # files (attempts/face-worker.js); nothing else may start a worker (no blob:).
        # Said outright, though script-src's 'self' would allow the same.
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The exam-form rules apply per academic year (e.g. "2026-2027"); the migration loads
# Table 1 for this one.
EXAMFORMS_DEFAULT_ACADEMIC_YEAR = "2026-2027"

APP_NAME = _("emtihan")

# Uploaded files (UMKD documents, student photos) are never served as public /media/
# URLs: each one goes through a view that checks who is asking.
