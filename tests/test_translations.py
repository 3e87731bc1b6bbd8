"""Vietnamese first, English complete: the catalogues, and what each language shows.

The source strings are Vietnamese; locale/en holds their English. Vietnamese for the
third-party apps that ship none (django-import-export, django-simple-history, django-axes,
django-otp) lives in locale_vendor/vi, the second entry of LOCALE_PATHS.
"""

import datetime
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from criteria.models import Criterion, Framework, Plan
from tests.criteria.sheets import appendix_xlsx
from tests.criteria.test_plan_page import (
    TIEN_GIANG_HISTORY,
    TIEN_GIANG_ROWS,
    TIEN_GIANG_TOTAL,
    build_plan,
)

BASE_DIR = Path(settings.BASE_DIR)
EN_CATALOGUE = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
VENDOR_CATALOGUE = BASE_DIR / "locale_vendor" / "vi" / "LC_MESSAGES" / "django.po"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What `manage.py makemessages` is run with (README and Makefile).
MAKEMESSAGES_IGNORE = [".venv", "node_modules", "tests", "bench"]


def _use_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# The catalogues themselves


def test_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = polib.pofile(str(EN_CATALOGUE))

    assert len(catalogue) > 400
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def test_english_plural_entries_have_both_forms():
    catalogue = polib.pofile(str(EN_CATALOGUE))
    plurals = [entry for entry in catalogue if entry.msgid_plural]

    assert plurals
    for entry in plurals:
        assert entry.msgstr_plural[0] and entry.msgstr_plural[1], entry.msgid


def test_vendor_catalogue_is_complete():
    catalogue = polib.pofile(str(VENDOR_CATALOGUE))

    assert len(catalogue) > 100
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


@pytest.fixture
def project_copy(tmp_path, monkeypatch, settings) -> Path:
    """The sources and catalogues copied aside, so that makemessages can run for real."""
    skip = shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc")
    for name in (
        "par_portal",
        "accounts",
        "criteria",
        "assignments",
        "assessments",
        "reports",
        "templates",
    ):
        shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=skip)
    for name in ("locale", "locale_vendor"):
        shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=skip)
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale", tmp_path / "locale_vendor"]
    return tmp_path


def test_every_string_in_the_sources_is_in_the_english_catalogue(project_copy):
    vendor_before = (project_copy / "locale_vendor/vi/LC_MESSAGES/django.po").read_bytes()

    call_command(
        "makemessages", locale=["en", "vi"], ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0
    )

    english = polib.pofile(str(project_copy / "locale/en/LC_MESSAGES/django.po"))
    assert [entry.msgid for entry in english.untranslated_entries()] == []
    assert [entry.msgid for entry in english.fuzzy_entries()] == []
    # makemessages sees only the project's sources: it must leave the vendor strings alone.
    vendor_after = (project_copy / "locale_vendor/vi/LC_MESSAGES/django.po").read_bytes()
    assert vendor_after == vendor_before
    assert not (project_copy / "locale_vendor/en").exists()


def test_compilemessages_compiles_the_vendor_catalogue_too(project_copy):
    compiled = [
        project_copy / "locale/en/LC_MESSAGES/django.mo",
        project_copy / "locale_vendor/vi/LC_MESSAGES/django.mo",
    ]
    assert not any(mo.exists() for mo in compiled)

    call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)

    assert all(mo.exists() for mo in compiled)


# What a reader sees


def test_third_party_strings_are_vietnamese_in_vietnamese():
    with translation.override("en"):
        assert gettext("Import") == "Import"

    with translation.override("vi"):
        assert gettext("Import") == "Nhập"
        assert gettext("Preview") == "Xem trước"
        assert gettext("Confirm import") == "Xác nhận nhập"
        assert gettext("Changed by") == "Người thay đổi"
        assert ngettext("entry", "entries", 3) == "bản ghi"


def test_every_vendor_entry_is_what_vietnamese_readers_get():
    """Nothing loaded later (Django's own catalogues) overrides the vendor catalogue."""
    catalogue = polib.pofile(str(VENDOR_CATALOGUE))

    with translation.override("vi"):
        for entry in catalogue:
            if entry.msgid_plural:
                assert ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[0]
            else:
                assert gettext(entry.msgid) == entry.msgstr


def test_django_history_button_reads_lich_su_not_ban_ghi_nho():
    """Django's own Vietnamese says "Bản ghi nhớ" (a memo) for the admin's History."""
    with translation.override("vi"):
        assert gettext("History") == "Lịch sử"


@pytest.fixture
def empty_plan(db) -> Plan:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    return Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )


def _upload(client, plan: Plan):
    return client.post(
        reverse("admin:criteria_criterion_import"),
        {
            "plan": plan.pk,
            "format": 0,
            "import_file": SimpleUploadedFile("phu-luc.xlsx", appendix_xlsx(), XLSX),
        },
    )


def test_admin_import_page_is_in_vietnamese(admin_client, empty_plan):
    form_page = admin_client.get(reverse("admin:criteria_criterion_import")).text

    preview = _upload(admin_client, empty_plan)

    assert "Tệp cần nhập" in form_page
    assert "Định dạng" in form_page
    assert "File to import" not in form_page
    html = preview.text
    assert "<h2>Xem trước</h2>" in html
    assert "Xác nhận nhập" in html
    assert "Mới" in html
    assert "Preview" not in html
    assert "Confirm import" not in html
    assert not Criterion.objects.exists()


def test_admin_import_page_is_in_english_for_english_readers(admin_client, empty_plan):
    _use_english(admin_client)

    html = _upload(admin_client, empty_plan).text

    assert "<h2>Preview</h2>" in html
    assert "Confirm import" in html
    assert "Xem trước" not in html


@pytest.fixture
def plan(db) -> Plan:
    return build_plan(
        "252/KH-UBND", "Tiền Giang", TIEN_GIANG_ROWS, TIEN_GIANG_TOTAL, TIEN_GIANG_HISTORY
    )


def test_admin_history_page_is_in_vietnamese(admin_client, plan):
    criterion = Criterion.objects.get(code="1.1")

    html = admin_client.get(reverse("admin:criteria_criterion_history", args=[criterion.pk])).text

    assert "Người thay đổi" in html
    assert "Changed by" not in html


def test_admin_header_has_the_language_switch(admin_client):
    before = admin_client.get(reverse("admin:index")).text

    admin_client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    after = admin_client.get(reverse("admin:index")).text

    assert 'class="lang-switch"' in before
    assert '<html lang="vi"' in before
    assert 'value="vi" title="Tiếng Việt" lang="vi" aria-pressed="true" disabled>' in before
    assert '<html lang="en"' in after
    assert 'value="vi" title="Vietnamese" lang="vi">VI</button>' in after
    assert 'value="en" title="English" lang="en" aria-pressed="true" disabled>' in after


def test_plan_page_is_in_vietnamese_by_default(client, noivu_staff, plan):
    client.force_login(noivu_staff)

    html = client.get(reverse("criteria:plan-detail", args=[plan.pk])).text

    assert '<th scope="col" class="num">Điểm chuẩn</th>' in html
    assert "Điểm đạt năm 2017" in html
    assert "Kế hoạch số 252/KH-UBND ngày 19/09/2018" in html
    assert ">Đăng xuất</button>" in html
    assert "Maximum score" not in html


def test_plan_page_is_in_english_with_the_english_cookie(client, noivu_staff, plan):
    client.force_login(noivu_staff)
    _use_english(client)

    html = client.get(reverse("criteria:plan-detail", args=[plan.pk])).text

    assert '<th scope="col" class="num">Maximum score</th>' in html
    assert "Score achieved in 2017" in html
    assert "Targets by area, criterion and sub-criterion" in html
    assert "Plan No. 252/KH-UBND of 09/19/2018" in html
    assert ">Log out</button>" in html
    assert "Điểm chuẩn" not in html
    assert "Đăng xuất" not in html


def test_login_page_is_in_english_with_the_english_cookie(client):
    _use_english(client)

    html = client.get(reverse("login")).text

    assert "Username" in html
    assert "Password" in html
    assert "Tên đăng nhập" not in html


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_page_follows_the_language(client):
    client.raise_request_exception = False
    vietnamese = client.get("/boom/")
    _use_english(client)

    english = client.get("/boom/")

    assert "Lỗi hệ thống" in vietnamese.text
    assert '<html lang="vi">' in vietnamese.text
    assert "System error" in english.text
    assert '<html lang="en">' in english.text
    assert "Lỗi hệ thống" not in english.text


def test_english_admin_names_model_lists_in_the_plural(admin_client):
    vietnamese = admin_client.get(reverse("admin:index")).text
    _use_english(admin_client)

    english = admin_client.get(reverse("admin:index")).text

    assert "Tiêu chí</a>" in vietnamese
    assert "Criteria</a>" in english
    assert "Agencies</a>" in english
    assert "Criterion</a>" not in english


def _admin_index_labels(client) -> set[str]:
    """The admin index's section captions and model names, as a reader sees them."""
    html = client.get(reverse("admin:index")).text
    return {
        " ".join(label.split())
        for label in re.findall(r"<(?:caption|th scope=\"row\")[^>]*>\s*<a[^>]*>([^<]+)</a>", html)
    }


def test_login_security_apps_are_named_in_vietnamese_in_the_admin(admin_client):
    labels = _admin_index_labels(admin_client)

    assert {"Chống dò mật khẩu", "Xác thực hai bước", "Thiết bị xác thực hai bước"} <= labels
    assert {"Lần thử truy cập", "Lần truy cập thất bại", "Nhật ký truy cập"} <= labels
    english = {"Axes", "Otp_Totp", "OTP_TOTP", "TOTP devices", "Access attempts", "Access logs"}
    assert not labels & english


def test_login_security_apps_are_named_in_english_for_english_readers(admin_client):
    _use_english(admin_client)

    labels = _admin_index_labels(admin_client)

    assert {"Login lockout", "Two-factor authentication", "Two-factor devices"} <= labels
    assert {"Access attempts", "Access failures", "Access logs"} <= labels
