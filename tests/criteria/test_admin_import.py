"""The appendix import through the admin: django-import-export's preview, then confirm."""

import datetime
import re

import pytest
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
    assert re.search(r"<del>8.5 - 9</del> <ins>8.5 - 9.5</ins>", response.content.decode())


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
