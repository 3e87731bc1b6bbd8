"""The appendix import through the admin: django-import-export's preview, then confirm."""

import datetime
import os
import re
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria.models import Criterion, Framework, Plan, Target
from tests.criteria.sheets import appendix_xlsx, with_cell

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def plan() -> Plan:
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


def upload(client, plan: Plan, data: bytes):
    return client.post(
        reverse("admin:criteria_criterion_import"),
        {
            "plan": plan.pk,
            "format": 0,
            "import_file": SimpleUploadedFile("phu-luc.xlsx", data, XLSX),
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse("admin:criteria_criterion_process_import"), form.initial)


def confirm_with(client, preview, **changes):
    return client.post(
        reverse("admin:criteria_criterion_process_import"),
        {**preview.context["confirm_form"].initial, **changes},
    )


def test_preview_shows_new_rows_and_writes_nothing(admin_client, plan):
    response = upload(admin_client, plan, appendix_xlsx())

    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert response.context["result"].totals["new"] == 7
    assert "Kế hoạch CCHC" in response.content.decode()
    assert not Criterion.objects.exists()


def test_confirm_writes_the_tree(admin_client, plan):
    preview = upload(admin_client, plan, appendix_xlsx())

    response = confirm(admin_client, preview)

    assert response.status_code == 302
    assert Criterion.objects.count() == 7
    assert Target.objects.filter(plan=plan, criterion__code="2.1").count() == 2


def test_preview_of_a_revised_file_marks_exactly_the_changed_cell(admin_client, plan):
    confirm(admin_client, upload(admin_client, plan, appendix_xlsx()))

    response = upload(admin_client, plan, appendix_xlsx(with_cell("2.1", 4, "8,5 - 9,5")))

    result = response.context["result"]
    assert (result.totals["update"], result.totals["skip"]) == (1, 7)
    assert "<del>8,5 - 9</del> <ins>8,5 - 9,5</ins>" in response.text


def test_preview_says_what_changes_before_the_confirm_button_in_vietnamese(admin_client, plan):
    confirm(admin_client, upload(admin_client, plan, appendix_xlsx()))

    response = upload(admin_client, plan, appendix_xlsx(with_cell("2.1", 4, "8,5 - 9,5")))

    html = response.text
    summary = html.index("Tóm tắt thay đổi")
    assert (
        summary
        < html.index("2.1 · Mục tiêu năm 2018: 8,5 - 9 → 8,5 - 9,5")
        < html.index('value="Xác nhận nhập"')
    )
    assert "0 tiêu chí mới, 1 dòng thay đổi (1 ô), 7 dòng không đổi" in html[summary:]
    kinds = [" ".join(k.split()) for k in re.findall(r'class="import-type">(.*?)</td>', html, re.S)]
    assert kinds.count("Không đổi") == 7 and kinds.count("Có thay đổi") == 1
    table = html[html.index('<table class="import-preview"') :]
    assert "Bỏ qua" not in table and "Cập nhật" not in table
    for leftover in ("Trình nhập này", "<code>code</code>", "Skipped", "Update"):
        assert leftover not in html


def test_import_form_lists_no_resource_fields(admin_client, plan):
    html = admin_client.get(reverse("admin:criteria_criterion_import")).text

    assert "Trình nhập này sẽ nhập" not in html
    assert "<code>" not in html
    assert "Chọn kế hoạch và tệp Excel (.xlsx)" in html


def test_changed_maximum_is_confirmed_only_with_the_box_ticked(admin_client, plan):
    confirm(admin_client, upload(admin_client, plan, appendix_xlsx()))
    preview = upload(admin_client, plan, appendix_xlsx(with_cell("1.1.1", 2, 55)))
    assert "Điểm chuẩn thay đổi" in preview.text
    assert "1.1.1 · Điểm chuẩn: 0,5 → 55" in preview.text
    assert preview.text.index('name="accept_max_changes"') < preview.text.index(
        'value="Xác nhận nhập"'
    )

    refused = confirm(admin_client, preview)

    assert refused.status_code == 200
    assert "điểm chuẩn của 1 tiêu chí (1.1.1: 0,5 → 55) nên chưa được nhập" in refused.text
    assert refused.context["confirm_form"] is not None  # the preview again, to tick the box
    assert Criterion.objects.get(code="1.1.1").max_score == Decimal("0.5")

    accepted = confirm_with(admin_client, preview, accept_max_changes="on")

    assert accepted.status_code == 302
    assert Criterion.objects.get(code="1.1.1").max_score == 55


def test_bad_file_is_refused_with_row_and_column_and_writes_nothing(admin_client, plan):
    response = upload(admin_client, plan, appendix_xlsx(with_cell("1.1.1", 2, "nửa")))

    errors = response.context["form"].errors["import_file"]
    assert any("Dòng 9, cột “Điểm chuẩn”" in error for error in errors)
    assert "confirm_form" not in response.context
    assert not Criterion.objects.exists()


def test_mismatched_sums_are_shown_as_warnings_in_the_preview(admin_client, plan):
    response = upload(admin_client, plan, appendix_xlsx(with_cell("1.1", 2, 2)))

    assert any("1.1" in warning for warning in response.context["result"].appendix_warnings)
    assert "Cảnh báo" in response.content.decode()


def test_user_without_import_rights_is_refused(client, django_user_model, plan):
    user = django_user_model.objects.create_user(
        "xem", password="mật-khẩu-đủ-dài-2026", is_staff=True
    )
    client.force_login(user)

    response = upload(client, plan, appendix_xlsx())

    assert response.status_code == 403
    assert not Criterion.objects.exists()


# Uploads kept between the preview and the confirmation, and only then


@pytest.fixture
def uploads(settings, tmp_path, monkeypatch) -> Path:
    """The folder uploads wait in, which is also the temporary folder of the whole process:
    a file left anywhere in either shows."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.APPENDIX_UPLOAD_DIR = folder
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_refused_file_leaves_no_upload_behind(admin_client, plan, uploads):
    response = upload(admin_client, plan, appendix_xlsx(with_cell("1.1.1", 2, "nửa")))

    assert response.context["form"].errors["import_file"]
    assert files_in(uploads) == []


def test_file_refused_by_the_plan_leaves_no_upload_behind(admin_client, plan, uploads):
    plan.baseline_year = 2016
    plan.save()

    response = upload(admin_client, plan, appendix_xlsx())

    assert "năm gốc của kế hoạch" in response.text
    assert "confirm_form" not in response.context
    assert files_in(uploads) == []


def test_accepted_preview_keeps_its_upload_until_the_confirmation(admin_client, plan, uploads):
    preview = upload(admin_client, plan, appendix_xlsx())
    assert files_in(uploads) == [preview.context["confirm_form"].initial["import_file_name"]]

    response = confirm(admin_client, preview)

    assert response.status_code == 302
    assert Criterion.objects.count() == 7
    assert files_in(uploads) == []


def test_confirming_twice_is_refused_with_a_form_error(admin_client, plan, uploads):
    preview = upload(admin_client, plan, appendix_xlsx())
    confirm(admin_client, preview)

    response = confirm(admin_client, preview)

    assert response.status_code == 200
    assert "Tệp đã xem trước không còn để nhập" in response.text
    assert Criterion.objects.count() == 7
    assert files_in(uploads) == []


@pytest.mark.parametrize(
    "name", ["0123456789abcdef0123456789abcdef", "../../etc/passwd", "/etc/hostname", ""]
)
def test_confirmation_naming_a_file_never_previewed_is_a_form_error(
    admin_client, plan, uploads, name
):
    (uploads / "0123456789abcdef0123456789abcdef").write_bytes(appendix_xlsx())

    response = admin_client.post(
        reverse("admin:criteria_criterion_process_import"),
        {"import_file_name": name, "original_file_name": "x.xlsx", "format": 0, "plan": plan.pk},
    )

    assert response.status_code == 200
    assert "Tệp đã xem trước không còn để nhập" in response.text
    assert response.context["form"] is not None  # the import form, to choose the file again
    assert not Criterion.objects.exists()
    # Another session's preview is not this confirmation's to remove.
    assert files_in(uploads) == ["0123456789abcdef0123456789abcdef"]


@pytest.mark.parametrize("fmt", ["7", "-1", "xlsx"])
def test_confirmation_with_an_unknown_format_is_a_form_error(admin_client, plan, uploads, fmt):
    preview = upload(admin_client, plan, appendix_xlsx())

    response = confirm_with(admin_client, preview, format=fmt)

    assert response.status_code == 200
    assert f"Định dạng tệp “{fmt}” không có" in response.text
    assert not Criterion.objects.exists()
    assert files_in(uploads) == []


def test_confirmation_for_a_plan_that_is_gone_is_a_form_error(admin_client, plan, uploads):
    preview = upload(admin_client, plan, appendix_xlsx())

    response = confirm_with(admin_client, preview, plan=plan.pk + 1000)

    assert response.status_code == 200
    assert "Kế hoạch đã chọn không còn" in response.text
    assert files_in(uploads) == []


def test_previews_older_than_a_session_are_removed_by_the_next_import(admin_client, plan, uploads):
    stale = uploads / "fedcba9876543210fedcba9876543210"
    stale.write_bytes(appendix_xlsx())
    an_hour_past_any_session = time.time() - settings.PAR_SESSION_ABSOLUTE_SECONDS - 3600
    os.utime(stale, (an_hour_past_any_session, an_hour_past_any_session))

    upload(admin_client, plan, appendix_xlsx(with_cell("1.1.1", 2, "nửa")))

    assert files_in(uploads) == []
