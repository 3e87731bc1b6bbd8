"""Settings for the benchmarks: the project's own, on a scratch database, plus a floor page.

Everything that shapes a request's cost stays as in production (DEBUG off, the same
middleware, the cached template loader, the production password hasher). What changes:
the scratch database (BENCH_DATABASE_URL), the URLconf (bench/urls.py adds the trivial
pages), plain HTTP on 127.0.0.1 (TLS is the reverse proxy's job), plain static storage
(no collectstatic) and the public page switched on so that it can be measured.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")

from par_portal.settings import *  # noqa: E402, F403
from par_portal.settings import BASE_DIR, TEMPLATES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]

SCRATCH_DIR = Path(os.environ.get("BENCH_SCRATCH_DIR", Path(tempfile.gettempdir()) / "par_bench"))
DATABASES = {
    "default": dj_database_url.parse(  # noqa: F405
        os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{SCRATCH_DIR / 'bench.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),  # noqa: F405
    )
}
MEDIA_ROOT = SCRATCH_DIR / "media"

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PAR_PUBLIC_PAGE_ENABLED = True
# The load test logs the same users in many times from 127.0.0.1.
AXES_ENABLED = os.environ.get("BENCH_AXES", "on") == "on"
LOGGING = {"version": 1, "disable_existing_loggers": True}
STATIC_ROOT = SCRATCH_DIR / "staticfiles"  # empty: pages link to static files, none is fetched
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
