"""The agency registry from a spreadsheet: communes under their districts, public service units."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assignments.models import Agency, AgencyGroup

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["Tên đơn vị", "Tên viết tắt", "Loại đơn vị", "Trực thuộc"]

REGISTRY = [
    ("UBND xã An Cư", "Xã An Cư", "UBND cấp xã", "UBND huyện Cái Bè"),
    ("UBND xã An Hữu", "Xã An Hữu", "UBND cấp xã", "UBND huyện Cái Bè"),
    ("UBND xã Mỹ Đức Đông", "Xã Mỹ Đức Đông", "UBND cấp xã", "UBND huyện Cái Bè"),
    ("Trung tâm Y tế huyện Cái Bè", "TTYT Cái Bè", "Đơn vị sự nghiệp công lập", ""),
]


def registry_xlsx(rows: list[tuple[str, ...]], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes):
    return client.post(
        reverse("admin:assignments_agency_import"),
        {
            "format": 0,
            "resource": 0,
            "import_file": SimpleUploadedFile("danh-muc.xlsx", data, XLSX),
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse("admin:assignments_agency_process_import"), form.initial)


@pytest.fixture
def province(tien_giang) -> None:
    """Tiền Giang's departments, districts and groups, with no commune yet."""
    assert not Agency.objects.filter(kind=Agency.Kind.COMMUNE).exists()


def test_preview_lists_the_new_agencies_and_writes_nothing(admin_client, province):
    response = upload(admin_client, registry_xlsx(REGISTRY))

    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert response.context["result"].totals["new"] == 4
    assert "UBND xã An Hữu" in response.text
    assert not Agency.objects.filter(kind=Agency.Kind.COMMUNE).exists()


def test_confirmed_communes_join_their_district_and_the_commune_group(admin_client, province):
    communes = AgencyGroup.objects.get(name="UBND cấp xã")
    units = AgencyGroup.objects.get(name="Các đơn vị sự nghiệp công lập")
    assert (communes.members().count(), units.members().count()) == (0, 1)

    response = confirm(admin_client, upload(admin_client, registry_xlsx(REGISTRY)))

    assert response.status_code == 302
    cai_be = Agency.objects.get(name="UBND huyện Cái Bè")
    assert set(cai_be.children.values_list("name", flat=True)) == {
        "UBND xã An Cư",
        "UBND xã An Hữu",
        "UBND xã Mỹ Đức Đông",
    }
    assert communes.members().count() == 3
    assert units.members().count() == 2
    assert AgencyGroup.objects.without_members() == [
        AgencyGroup.objects.get(name="Các cơ quan, đơn vị có liên quan")
    ]


def test_a_bad_row_is_named_and_nothing_is_written(admin_client, province):
    rows = [
        *REGISTRY,
        ("UBND xã Không Huyện", "Xã KH", "UBND cấp xã", "UBND huyện Không Có"),
        ("Hợp tác xã Một", "HTX1", "Hợp tác xã", ""),
    ]

    response = upload(admin_client, registry_xlsx(rows))

    page = response.text
    assert response.context.get("confirm_form") is None
    assert "Không có đơn vị “UBND huyện Không Có” để trực thuộc" in page
    assert "Không có loại đơn vị “Hợp tác xã”" in page
    assert not Agency.objects.filter(name__startswith="UBND xã").exists()


def test_a_commune_must_belong_to_a_district(admin_client, province):
    response = upload(
        admin_client, registry_xlsx([("UBND xã Lạc", "Xã Lạc", "UBND cấp xã", "Sở Nội vụ")])
    )

    assert response.context.get("confirm_form") is None
    assert "UBND cấp xã phải trực thuộc một UBND cấp huyện." in response.text
    assert not Agency.objects.filter(name="UBND xã Lạc").exists()


def test_a_name_another_agency_already_goes_by_is_refused(admin_client, province):
    response = upload(
        admin_client,
        registry_xlsx([("Trung tâm Hành chính công", "VPUB", "Đơn vị sự nghiệp công lập", "")]),
    )

    assert response.context.get("confirm_form") is None
    assert "“VPUB” đã là tên gọi của Văn phòng UBND tỉnh." in response.text


def test_export_uses_the_import_layout(admin_client, province):
    confirm(admin_client, upload(admin_client, registry_xlsx(REGISTRY)))

    response = admin_client.post(
        reverse("admin:assignments_agency_export"),
        {
            "format": 0,
            "resource": 0,
            **{f"agencyresource_{name}": "on" for name in ("name", "short_name", "kind", "parent")},
        },
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert ("UBND xã An Cư", "Xã An Cư", "UBND cấp xã", "UBND huyện Cái Bè") in rows
    assert response["Content-Type"] == XLSX


def test_anonymous_is_sent_to_the_admin_login(client, province):
    url = reverse("admin:assignments_agency_import")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_english_reader_imports_the_same_vietnamese_file(admin_client, province, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = confirm(admin_client, upload(admin_client, registry_xlsx(REGISTRY)))

    assert response.status_code == 302
    assert Agency.objects.filter(kind=Agency.Kind.COMMUNE).count() == 3


@pytest.mark.parametrize(
    "tampered",
    [{"import_file_name": "0" * 32}, {"import_file_name": "../../etc/passwd"}, {"format": 9}],
)
def test_confirmation_of_another_file_or_format_is_refused_on_the_page(
    admin_client, province, tampered
):
    preview = upload(admin_client, registry_xlsx(REGISTRY))
    form = preview.context["confirm_form"].initial | tampered

    response = admin_client.post(
        reverse("admin:assignments_agency_process_import"), form, follow=True
    )

    assert response.status_code == 200
    assert "Tệp đã xem trước không còn để nhập" in response.content.decode()
    assert not Agency.objects.filter(kind=Agency.Kind.COMMUNE).exists()


def test_a_previewed_upload_is_kept_only_until_it_is_confirmed(admin_client, province, settings):
    folder = settings.APPENDIX_UPLOAD_DIR

    preview = upload(admin_client, registry_xlsx(REGISTRY))
    after_preview = sorted(path.name for path in folder.glob("*"))
    confirm(admin_client, preview)

    assert after_preview == [preview.context["confirm_form"].initial["import_file_name"]]
    assert list(folder.glob("*")) == []
    assert Agency.objects.filter(kind=Agency.Kind.COMMUNE).count() == 3


def test_a_sheet_longer_than_a_registry_is_refused_before_it_is_read(
    admin_client, province, settings
):
    settings.IMPORT_MAX_ROWS = 50
    rows = [(f"UBND xã Số {n}", f"Xã {n}", "UBND cấp xã", "UBND huyện Cái Bè") for n in range(60)]

    response = upload(admin_client, registry_xlsx(rows))

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "có hơn 50 dòng" in response.text
    assert not Agency.objects.filter(kind=Agency.Kind.COMMUNE).exists()


def test_a_file_that_is_not_a_plain_workbook_is_refused_with_the_appendix_checks(
    admin_client, province
):
    response = upload(admin_client, b"MZ\x90\x00 not a spreadsheet at all")

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "encountered while trying to read file" not in response.text
    assert "không phải là tệp Excel" in response.text
    assert not Agency.objects.filter(kind=Agency.Kind.COMMUNE).exists()
