"""Shared fixtures: personas by role and the plain static storage for test servers."""

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.cache import cache

from assignments.models import Agency, Membership, Role


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a transactional test that would not put back the rows migrations made.

    Such a test empties every table when it ends. With several workers (pytest-xdist) the
    order of tests differs from run to run, so each one restores the migrated rows (the
    role groups) itself: `django_db_serialized_rollback` with `transactional_db`.
    """
    for item in items:
        names = getattr(item, "fixturenames", ())
        mark = item.get_closest_marker("django_db")
        marked = mark is not None and mark.kwargs.get("transaction", False)
        transactional = marked or "transactional_db" in names or "live_server" in names
        serialized = "django_db_serialized_rollback" in names or (
            mark is not None and mark.kwargs.get("serialized_rollback", False)
        )
        if transactional and not serialized:
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test needs django_db_serialized_rollback too"
            )


@pytest.fixture(autouse=True)
def _test_server_settings(settings) -> None:
    # The test client speaks plain HTTP; the tests of production headers turn this back on.
    settings.SECURE_SSL_REDIRECT = False
    # Production's password hasher is slow on purpose; tests do not test its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage of production needs collectstatic; tests serve files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Production asks administrators for a one-time code before the admin; tests that log
    # into the admin do not set up a device. tests/accounts/test_twofactor.py turns this back on.
    settings.PAR_REQUIRE_2FA_FOR_ADMINS = False


@pytest.fixture(autouse=True)
def _appendix_uploads(settings, tmp_path) -> None:
    # Previews that a test does not confirm keep their upload: not in the machine's /tmp.
    settings.APPENDIX_UPLOAD_DIR = tmp_path / "appendix-uploads"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    # Stored files (load_demo's documents among them) never land in the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Cached pages (criteria/caching.py) must not outlive the test that rendered them: the
    # next test's database may reuse the same ids and history times.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_password() -> str:
    return "mật-khẩu-đủ-dài-2026"


@pytest.fixture
def agency(db) -> Agency:
    return Agency.objects.create(name="Sở Tư pháp", short_name="Sở TP", kind=Agency.Kind.DEPARTMENT)


@pytest.fixture
def other_agency(db) -> Agency:
    return Agency.objects.create(
        name="UBND huyện Cái Bè", short_name="H. Cái Bè", kind=Agency.Kind.DISTRICT
    )


def _user_with_role(
    username: str, password: str, role: Role, agency: Agency | None = None
) -> AbstractUser:
    user = get_user_model().objects.create_user(username=username, password=password)
    user.groups.add(Group.objects.get(name=role.value))
    if agency is not None:
        Membership.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def noivu_staff(db, staff_password) -> AbstractUser:
    return _user_with_role("noivu", staff_password, Role.NOIVU_STAFF)


@pytest.fixture
def leader(db, staff_password) -> AbstractUser:
    return _user_with_role("lanhdao", staff_password, Role.LEADER)


@pytest.fixture
def agency_user(agency, staff_password) -> AbstractUser:
    return _user_with_role("canbo.sotuphap", staff_password, Role.AGENCY_USER, agency)


@pytest.fixture
def other_agency_user(other_agency, staff_password) -> AbstractUser:
    return _user_with_role("canbo.caibe", staff_password, Role.AGENCY_USER, other_agency)
