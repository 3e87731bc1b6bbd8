"""The provinces' registry and the national table's import: names as tables spell them,
a messy copy and a clean one giving the same figures, refusals naming row and column."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from criteria.importers import AppendixError
from criteria.models import NationalGroup, NationalResult, NationalTable, Province
from criteria.national import (
    ProvinceNames,
    import_national_table,
    province_key,
    read_national_table,
)
from tests.criteria.national_sheets import ROWS, _book, clean_xlsx, make_provinces, messy_xlsx

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figures(year: int) -> list[tuple]:
    return list(
        NationalResult.objects.filter(table__year=year)
        .order_by("province__name")
        .values_list("province__name", "total", "appraised_score", "rank", "group", "sipas_percent")
    )


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("TỈNH TIỀN GIANG", "Tiền Giang"),
        ("tiền giang", "Tiền Giang"),
        ("Tien Giang", "Tiền Giang"),
        ("THÀNH PHỐ HỒ CHÍ MINH", "Hồ Chí Minh"),
        ("TP. HCM", "Hồ Chí Minh"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Bà Rịa - Vũng Tàu", "Bà Rịa – Vũng Tàu"),
        ("Thừa Thiên - Huế", "Thừa Thiên Huế"),
        ("Đăk Lăk", "Đắk Lắk"),
        ("BẮC CẠN", "Bắc Kạn"),
        ("Quảng Ninh (*)", "Quảng Ninh"),
    ],
)
def test_registry_resolves_names_as_tables_spell_them(spelling, name):
    call_command("loaddata", "fixtures/provinces.json", verbosity=0)

    assert ProvinceNames.load().resolve(spelling).name == name


def test_registry_has_63_provinces_in_6_regions_with_13_in_the_mekong_delta():
    call_command("loaddata", "fixtures/provinces.json", verbosity=0)

    assert Province.objects.count() == 63
    assert Province.objects.values("region").distinct().count() == 6
    assert Province.objects.filter(region=Province.Region.MEKONG_DELTA).count() == 13
    keys = [province_key(p.name) for p in Province.objects.all()]
    assert len(set(keys)) == 63


def test_unknown_name_is_not_guessed():
    call_command("loaddata", "fixtures/provinces.json", verbosity=0)

    assert ProvinceNames.load().resolve("Tỉnh Hà Tây") is None


def test_messy_and_clean_copies_import_to_the_same_figures():
    make_provinces()
    names = ProvinceNames.load()

    import_national_table(sheet=read_national_table(messy_xlsx(), names=names), year=2019)
    messy = figures(2019)
    import_national_table(sheet=read_national_table(clean_xlsx(), names=names), year=2020)
    clean = figures(2020)

    assert len(messy) == len(ROWS)
    assert messy == clean
    assert ("Tiền Giang", Decimal("79.68"), Decimal("50.5"), 6, "B", Decimal("83.39")) in messy
    # Đà Nẵng and Long An share rank 4 as published; nothing is warned.
    assert [r[3] for r in messy if r[0] in {"Đà Nẵng", "Long An"}] == [4, 4]
    assert set(NationalGroup.objects.filter(table__year=2019).values_list("code", flat=True)) == {
        "A",
        "B",
        "C",
    }


def test_import_twice_changes_nothing_and_a_revision_is_reported():
    make_provinces()
    names = ProvinceNames.load()
    import_national_table(sheet=read_national_table(messy_xlsx(), names=names), year=2019)
    history = NationalResult.history.count()

    again = import_national_table(sheet=read_national_table(messy_xlsx(), names=names), year=2019)
    revised = import_national_table(
        sheet=read_national_table(messy_xlsx(replace={(5, 2): "80,01"}), names=names), year=2019
    )

    assert again.created == [] and again.changed == [] and again.unchanged == len(ROWS)
    assert revised.changed == ["Tiền Giang (Chỉ số CCHC – Tổng điểm: 79,68 → 80,01)"]
    assert NationalResult.history.count() == history + 1


def test_import_with_bad_cells_names_row_and_column_and_writes_nothing():
    make_provinces()

    with pytest.raises(AppendixError) as error:
        read_national_table(
            messy_xlsx(replace={(0, 2): "chín mươi", (3, 1): "Tỉnh Hà Tây", (4, 4): "hạng tư"}),
            names=ProvinceNames.load(),
        )

    assert error.value.problems == [
        "Dòng 7, cột “Chỉ số CCHC – Tổng điểm”: “chín mươi” không phải là số "
        "(viết ví dụ 7,5 hoặc 7.5).",
        "Dòng 11, cột “Tỉnh, thành phố”: không có “Tỉnh Hà Tây” trong danh mục tỉnh, thành phố.",
        "Dòng 12, cột “Xếp hạng”: “hạng tư” không phải là thứ hạng (ví dụ 12).",
    ]
    assert not NationalResult.objects.exists()


def test_a_sheet_far_longer_than_a_national_table_is_refused_before_its_rows_are_parsed():
    make_provinces()
    header = ["Tỉnh, thành phố", "Tổng điểm", "Xếp hạng"]
    # As the appendix's hostile corpus: rows that pass every size check of the file.
    rows = [header] + [["Tỉnh Hà Tây", 80, 1] for _ in range(30_000)]

    with pytest.raises(AppendixError) as error:
        read_national_table(_book(rows), names=ProvinceNames.load())

    assert error.value.problems == [
        "Trang tính “Sheet” có hơn 1.000 dòng, quá giới hạn của một bảng xếp hạng toàn quốc "
        "(63 tỉnh, thành phố). Hãy xóa các dòng thừa bên dưới bảng, lưu lại rồi nhập lại."
    ]
    assert not NationalResult.objects.exists()


def test_a_total_above_100_is_refused_with_the_figure_as_it_was_written():
    make_provinces()

    with pytest.raises(AppendixError) as error:
        read_national_table(messy_xlsx(replace={(0, 2): "100,5"}), names=ProvinceNames.load())

    assert error.value.problems == ["Dòng 7, cột “Chỉ số CCHC – Tổng điểm”: 100,5 lớn hơn 100."]


def test_rank_that_does_not_follow_the_totals_is_warned():
    make_provinces()

    sheet = read_national_table(messy_xlsx(replace={(5, 4): "5"}), names=ProvinceNames.load())

    assert sheet.warnings == ["Dòng 13: Tiền Giang xếp hạng 5 theo bảng, nhưng theo chỉ số là 6."]


def test_command_dry_run_writes_nothing_then_import_writes(tmp_path):
    make_provinces()
    path = tmp_path / "bang-xep-hang-2019.xlsx"
    path.write_bytes(messy_xlsx())
    out = io.StringIO()

    call_command("import_national_results", path, "--year", "2019", "--dry-run", stdout=out)
    assert not NationalTable.objects.exists()
    call_command(
        "import_national_results", path, "--year", "2019", "--source", "BCĐ CCHC", stdout=out
    )

    assert "(chạy thử, không ghi)" in out.getvalue()
    assert NationalTable.objects.get().citation == "BCĐ CCHC"
    assert NationalResult.objects.count() == len(ROWS)


def test_command_refuses_a_bad_file_with_every_problem(tmp_path):
    make_provinces()
    path = tmp_path / "bang.xlsx"
    path.write_bytes(messy_xlsx(replace={(0, 6): "-3"}))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_national_results", path, "--year", "2019", stderr=err)

    assert "Dòng 7, cột “Chỉ số SIPAS – (%)”" in err.getvalue()
    assert not NationalResult.objects.exists()


def upload(client, data: bytes, year: int = 2019):
    return client.post(
        reverse("admin:criteria_nationalresult_import"),
        {
            "year": year,
            "source": "BCĐ CCHC 5/2020",
            "format": 0,
            "import_file": SimpleUploadedFile("bang.xlsx", data, XLSX),
        },
    )


def test_admin_preview_writes_nothing_and_confirm_writes(admin_client):
    make_provinces()

    preview = upload(admin_client, messy_xlsx())
    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == len(ROWS)
    assert not NationalResult.objects.exists()
    form = preview.context["confirm_form"]
    admin_client.post(reverse("admin:criteria_nationalresult_process_import"), form.initial)

    assert NationalTable.objects.get().year == 2019
    assert NationalResult.objects.count() == len(ROWS)


def test_admin_refuses_a_bad_file_with_row_and_column(admin_client):
    make_provinces()

    response = upload(admin_client, messy_xlsx(replace={(1, 1): "Hà Tây"}))

    assert "Dòng 8, cột “Tỉnh, thành phố”: không có “Hà Tây”" in response.content.decode()
    assert not NationalResult.objects.exists()


def test_admin_keeps_a_previewed_upload_only_until_it_is_confirmed(admin_client, settings):
    make_provinces()
    folder = settings.APPENDIX_UPLOAD_DIR

    upload(admin_client, messy_xlsx(replace={(1, 1): "Hà Tây"}))
    after_refusal = sorted(path.name for path in folder.glob("*"))
    preview = upload(admin_client, messy_xlsx())
    after_preview = sorted(path.name for path in folder.glob("*"))
    admin_client.post(
        reverse("admin:criteria_nationalresult_process_import"),
        preview.context["confirm_form"].initial,
    )

    assert after_refusal == []
    assert after_preview == [preview.context["confirm_form"].initial["import_file_name"]]
    assert list(folder.glob("*")) == []
    assert NationalResult.objects.count() == len(ROWS)


@pytest.mark.parametrize(
    "tampered",
    [{"import_file_name": "0" * 32}, {"import_file_name": "../../etc/passwd"}, {"format": 9}],
)
def test_admin_confirmation_of_another_file_or_format_is_refused_on_the_page(
    admin_client, tampered
):
    make_provinces()
    preview = upload(admin_client, messy_xlsx())
    confirm = preview.context["confirm_form"].initial | tampered

    response = admin_client.post(
        reverse("admin:criteria_nationalresult_process_import"), confirm, follow=True
    )

    assert response.status_code == 200
    assert "Tệp đã xem trước không còn để nhập" in response.content.decode()
    assert not NationalResult.objects.exists()


def test_a_single_index_column_is_read_as_the_total():
    make_provinces()
    data = _one_header_book(["TT", "Tên tỉnh, thành phố", "Chỉ số CCHC năm 2019", "Thứ hạng"])

    sheet = read_national_table(data, names=ProvinceNames.load())

    row = sheet.rows[0]
    assert (row.province.name, row.total, row.index_percent, row.rank) == (
        "Tiền Giang",
        Decimal("79.68"),
        None,
        48,
    )


def _one_header_book(header: list[str]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append([1, "TIỀN GIANG", "79,68", 48])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
