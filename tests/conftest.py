"""Shared fixtures: personas by role and the plain static storage for test servers."""

import pytest


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


@pytest.fixture
def staff_password() -> str:
    return "mật-khẩu-đủ-dài-2026"
