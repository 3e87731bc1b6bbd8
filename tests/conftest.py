"""Shared fixtures: personas by role and the plain static storage for test servers."""

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    # The manifest storage of production needs collectstatic; tests serve files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def staff_password() -> str:
    return "mật-khẩu-đủ-dài-2026"
