"""Settings for PAR Portal, read from environment variables.

SQLite is the zero-setup default; DATABASE_URL selects PostgreSQL. DEBUG is off
unless DJANGO_DEBUG says otherwise, and then a SECRET_KEY must be given.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything unrecognised is an error, not False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "django_htmx",
    "accounts.apps.AxesConfig",  # django-axes, named in Vietnamese
    "django_otp",
    "accounts.apps.TOTPConfig",  # django-otp's TOTP devices, named in Vietnamese
    "criteria",
    "accounts",
    "assignments",
    "assessments",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "par_portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.security.SessionLifetimeMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "par_portal.urls"
WSGI_APPLICATION = "par_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection that the database ended (restart, failover) is replaced before
        # use, instead of failing one request in each worker.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The pages and files of the whole criteria tree are cached until their data changes
# (criteria/caching.py). Local memory is per process: each worker fills its own, up to
# MAX_ENTRIES pages (a page of a 1,100-criteria tree is up to 0.9 MB). Another backend,
# e.g. Redis or the database (after `manage.py createcachetable`), is one variable.
# TIMEOUT bounds how long a renamed agency or framework (they keep no history) shows its old name.
LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
CACHES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_CACHE_BACKEND", LOCAL_MEMORY_CACHE),
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", "par-portal"),
        "TIMEOUT": env_int("DJANGO_CACHE_TIMEOUT", 600),
    }
}
if CACHES["default"]["BACKEND"] == LOCAL_MEMORY_CACHE:
    CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": env_int("DJANGO_CACHE_MAX_ENTRIES", 100)}

PASSWORD_HASHERS = [
    "par_portal.hashers.OWASPArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one user from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env_int("PAR_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PAR_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A wrong two-factor code is a failed login too; never store the code itself.
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind nginx (1), the lockout and the security log use the address nginx appended to
# X-Forwarded-For, not REMOTE_ADDR, which is nginx's own for everyone (accounts.security).
PAR_TRUSTED_PROXY_COUNT = env_int("PAR_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_address"
# Password-reset mail: at most 3 per address and 10 per client address an hour, counted in
# the cache (accounts.passwords), so nobody floods a colleague's mailbox or the SMTP relay.
PAR_PASSWORD_RESET_PER_ADDRESS = env_int("PAR_PASSWORD_RESET_PER_ADDRESS", 3)
PAR_PASSWORD_RESET_PER_CLIENT = env_int("PAR_PASSWORD_RESET_PER_CLIENT", 10)
PAR_PASSWORD_RESET_WINDOW_SECONDS = env_int("PAR_PASSWORD_RESET_WINDOW_MINUTES", 60) * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # each role lands on its own page (assignments.views.home)
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
# The project's own catalogues first; then Vietnamese for the third-party apps that ship
# none, kept apart so that makemessages never marks those entries obsolete.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
FORMAT_MODULE_PATH = ["par_portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
EVIDENCE_STORAGE_KIND = os.environ.get("PAR_EVIDENCE_STORAGE", "disk")
if EVIDENCE_STORAGE_KIND == "disk":
    EVIDENCE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif EVIDENCE_STORAGE_KIND == "s3":
    # Files are always served through the portal's access-checked view: the bucket stays
    # private and no signed or public URL is ever handed out.
    EVIDENCE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["PAR_S3_BUCKET"],
            "endpoint_url": os.environ.get("PAR_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PAR_S3_REGION") or None,
            "access_key": os.environ.get("PAR_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("PAR_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("PAR_S3_PREFIX", "par-portal"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"PAR_EVIDENCE_STORAGE must be 'disk' or 's3', not {EVIDENCE_STORAGE_KIND!r}."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence documents: MEDIA_ROOT on this server's disk, or S3-compatible object storage
    # (PAR_EVIDENCE_STORAGE=s3, django-storages installed) shared by several app servers.
    "evidence": EVIDENCE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A spreadsheet larger than this is refused before it is opened.
XLSX_MAX_UPLOAD_BYTES = env_int("PAR_XLSX_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
XLSX_MAX_UNPACKED_BYTES = env_int("PAR_XLSX_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
# A plan's appendix has about a hundred rows: a sheet with more than this is refused as it
# is read, before its rows are parsed (a small file may hold a hundred thousand rows).
APPENDIX_MAX_ROWS = env_int("PAR_APPENDIX_MAX_ROWS", 2000)
# Rows of any other spreadsheet imported in the admin (the agency registry: a province's
# communes and public service units are a few hundred to a few thousand).
IMPORT_MAX_ROWS = env_int("PAR_IMPORT_MAX_ROWS", 5000)
# An uploaded appendix waits here between its preview and the confirmation, and only then.
# Several app servers need a folder they share.
APPENDIX_UPLOAD_DIR = Path(
    os.environ.get("PAR_APPENDIX_UPLOAD_DIR", Path(tempfile.gettempdir()) / "par-appendix-uploads")
)
# An evidence file larger than this is refused (nginx's client_max_body_size must allow it).
PAR_EVIDENCE_MAX_BYTES = env_int("PAR_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# A form's fields, files apart, are read into memory: the largest the portal has is a report
# with a 20,000-character narrative, at most 240 KB once a browser percent-encodes it. A
# larger body is refused with a page that says so (413, par_portal.errors). Evidence and
# appendix files do not count here: they come as files, and those larger than Django's
# FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) are streamed to a temporary file, not held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PAR_DATA_UPLOAD_MAX_BYTES", 1024 * 1024)

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Console mail by default; DJANGO_EMAIL_HOST switches to SMTP.
if os.environ.get("DJANGO_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["DJANGO_EMAIL_HOST"],
                "port": env_int("DJANGO_EMAIL_PORT", 587),
                "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
                # A mail server that does not answer must not hold a request for long:
                # the mail stays in the outbox and is sent again later.
                "timeout": env_int("DJANGO_EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "par-portal@localhost")

# The public overview for citizens is off unless the province turns it on.
PAR_PUBLIC_PAGE_ENABLED = env_bool("PAR_PUBLIC_PAGE_ENABLED", False)

# A session ends after 30 idle minutes, and 10 hours after login whatever happens
# (accounts.security.SessionLifetimeMiddleware).
PAR_SESSION_IDLE_SECONDS = env_int("PAR_SESSION_IDLE_MINUTES", 30) * 60
PAR_SESSION_ABSOLUTE_SECONDS = env_int("PAR_SESSION_ABSOLUTE_HOURS", 10) * 60 * 60
# Administrators and those who may import the appendix must log in with a one-time code
# before the admin opens to them (accounts.security). On in production, off in development.
PAR_REQUIRE_2FA_FOR_ADMINS = env_bool("PAR_REQUIRE_2FA_FOR_ADMINS", not DEBUG)
SESSION_COOKIE_AGE = PAR_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything is served by the portal itself: government networks often block CDNs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # User input reaches log lines (a username in django-axes' warning): one line each.
    "filters": {"one_line": {"()": "accounts.logs.EscapeControlCharacters"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "par.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django's default config gives "django" a console handler of its own for DEBUG; with
        # the root's console, every line was written twice. It now reaches the root's once.
        # (Its default "mail_admins" goes too: the portal sets no ADMINS.)
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
