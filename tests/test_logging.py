"""The portal's logging: each line once, in debug as in production."""

import io
import logging
import sys

import pytest
from django.conf import settings
from django.utils.log import configure_logging


@pytest.fixture
def stderr(monkeypatch) -> io.StringIO:
    """The logging config applied afresh, writing to a buffer; put back on the real stderr."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    yield buffer
    monkeypatch.undo()
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@pytest.mark.parametrize("debug", [True, False])
def test_a_django_warning_is_written_once(stderr, settings, debug):
    settings.DEBUG = debug

    logging.getLogger("django.request").warning("Not Found: /khong-co")

    assert stderr.getvalue().splitlines() == ["Not Found: /khong-co"]


def test_a_portal_security_line_is_written_once(stderr):
    logging.getLogger("par.security").info("login user=canbo ip=127.0.0.1")

    assert stderr.getvalue().splitlines() == ["login user=canbo ip=127.0.0.1"]
