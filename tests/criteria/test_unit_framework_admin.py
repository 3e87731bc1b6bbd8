"""The unit framework's import in the admin (Bộ chỉ số → Nhập): preview, then confirm."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assignments.models import Role
from criteria.models import Criterion, Framework
from tests.criteria.unit_sheets import DISTRICTS_FILE, line_of, replaced, unit_xlsx

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = {
    "code": "QĐ CCHC huyện 2020",
    "name": "Bộ chỉ số CCHC UBND cấp huyện năm 2020",
    "unit_type": "district",
    "first_year": 2020,
    "last_year": "",
}


def upload(client, data: bytes, **fields):
    return client.post(
        reverse("admin:criteria_framework_import"),
        {
            **FIELDS,
            **fields,
            "format": 0,
            "import_file": SimpleUploadedFile("bo-chi-so.xlsx", data, XLSX),
        },
    )


def confirm(client, preview, **changes):
    return client.post(
        reverse("admin:criteria_framework_process_import"),
        {**preview.context["confirm_form"].initial, **changes},
        follow=True,
    )


def test_preview_writes_nothing_and_confirm_writes_the_tree(admin_client):
    preview = upload(admin_client, DISTRICTS_FILE.read_bytes())

    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 40
    assert "điểm thưởng tối đa 3" in preview.content.decode()
    assert "2 dòng mức chấm" in preview.content.decode()
    assert not Framework.objects.exists()

    response = confirm(admin_client, preview)

    framework = Framework.objects.get(code=FIELDS["code"])
    assert (framework.unit_type, framework.first_year, framework.last_year) == (
        "district",
        2020,
        None,
    )
    assert framework.criteria.count() == 40
    assert framework.criteria.filter(kind="bonus").count() == 3
    assert "Đã nhập. Bộ chỉ số QĐ CCHC huyện 2020: 40 tiêu chí mới" in response.content.decode()


def test_bad_file_is_refused_with_row_and_column_and_writes_nothing(admin_client):
    response = upload(admin_client, unit_xlsx(replaced(2.1, 2, "abc")))

    assert response.context.get("confirm_form") is None
    assert f"Dòng {line_of(2.1)}, cột “Điểm tối đa”: “abc” không phải là số" in (
        response.content.decode()
    )
    assert not Framework.objects.exists()


def test_a_framework_refused_by_the_service_shows_why_and_cannot_be_confirmed(admin_client):
    Framework.objects.create(code=FIELDS["code"], name="Đề án", first_year=2017)

    response = upload(admin_client, unit_xlsx())

    assert response.context.get("confirm_form") is None
    assert "là bộ chỉ số của Bộ Nội vụ đánh giá tỉnh" in response.content.decode()
    assert not Criterion.objects.exists()


def test_a_confirmation_refused_since_the_preview_is_an_error_not_a_success(admin_client):
    preview = upload(admin_client, unit_xlsx())
    Framework.objects.create(code="Khác", name="Khác", unit_type="district", first_year=2019)

    response = confirm(admin_client, preview)

    assert "đã có bộ chỉ số Khác cho UBND cấp huyện" in response.content.decode()
    assert "Đã nhập" not in response.content.decode()
    assert not Framework.objects.filter(code=FIELDS["code"]).exists()


def test_sở_nội_vụ_staff_read_frameworks_but_may_not_import(client, staff_password):
    user = get_user_model().objects.create_user(
        username="noivu", password=staff_password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.NOIVU_STAFF.value))
    client.force_login(user)

    listing = client.get(reverse("admin:criteria_framework_changelist"))
    response = upload(client, unit_xlsx())

    assert listing.status_code == 200
    assert response.status_code == 403
    assert not Framework.objects.exists()


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:criteria_framework_import"))

    assert response.status_code == 302
    assert "login" in response["Location"]
