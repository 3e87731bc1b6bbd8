"""The ministry's official results of a year, imported from the appendix's layout."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from criteria.importers import AppendixError, read_appendix
from criteria.models import Framework, Plan, Score
from criteria.official import import_official_results, read_official_results
from criteria.services import import_appendix
from tests.criteria.official_sheets import OFFICIAL, official_xlsx
from tests.criteria.sheets import ROWS, appendix_xlsx, row_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan() -> Plan:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    plan = Plan.objects.create(
        number="252/KH-UBND",
        title="Kế hoạch",
        issued_on=datetime.date(2018, 9, 19),
        province="Tiền Giang",
        framework=framework,
        baseline_year=2017,
        first_year=2018,
        last_year=2020,
    )
    import_appendix(table=read_appendix(appendix_xlsx()), plan=plan)
    return plan


def official_2018() -> dict[str, tuple[Decimal, str]]:
    return {
        s.criterion.code: (s.value, s.note)
        for s in Score.objects.filter(year=2018, kind=Score.Kind.OFFICIAL).select_related(
            "criterion"
        )
    }


def test_import_writes_each_official_score_with_the_reason(plan, admin_user):
    assert official_2018() == {}

    sheet = read_official_results(official_xlsx(), year=2018)
    report = import_official_results(sheet=sheet, plan=plan, year=2018, by=admin_user)

    stored = official_2018()
    assert set(stored) == set(OFFICIAL)
    assert stored["1.1.2"] == (Decimal("0.5"), "Kế hoạch chưa hoàn thành đúng hạn")
    assert stored["2.1"] == (Decimal(7), "Chưa ban hành báo cáo theo dõi thi hành pháp luật")
    assert stored["1.2"] == (Decimal(7), "")
    assert sorted(report.created) == sorted(OFFICIAL)
    # Area 1 states 8,5 where its criteria add up to 8: kept as stated, with a warning.
    assert stored["1"][0] == Decimal("8.5")
    assert [w for w in report.warnings if w.startswith("1:")]
    # The 2017 column of the appendix is untouched.
    assert Score.objects.filter(year=2017, kind=Score.Kind.OFFICIAL).count() == 7


def test_import_again_updates_changed_rows_and_raises_their_version(plan):
    import_official_results(
        sheet=read_official_results(official_xlsx(), year=2018), plan=plan, year=2018
    )
    before = Score.objects.get(criterion__code="2.1", year=2018, kind="official")
    changed = {**OFFICIAL, "2.1": (8, "Báo cáo chậm")}

    report = import_official_results(
        sheet=read_official_results(official_xlsx(changed), year=2018), plan=plan, year=2018
    )

    after = Score.objects.get(pk=before.pk)
    assert (after.value, after.note) == (Decimal(8), "Báo cáo chậm")
    assert after.version == before.version + 1
    assert report.updated == ["2.1"]
    assert len(report.unchanged) == len(OFFICIAL) - 1


def test_a_file_without_reason_column_keeps_the_reasons_entered_in_the_grid(plan):
    Score.objects.create(
        criterion=plan.framework.criteria.get(code="2.1"),
        year=2018,
        kind=Score.Kind.OFFICIAL,
        value=Decimal(6),
        note="Lý do nhập tay",
    )

    import_official_results(
        sheet=read_official_results(official_xlsx(with_reason=False), year=2018),
        plan=plan,
        year=2018,
    )

    assert official_2018()["2.1"] == (Decimal(7), "Lý do nhập tay")


def test_a_score_below_the_self_assessment_without_a_reason_is_warned(plan):
    for code, value in {"1.2": 8, "2.1": 8}.items():
        Score.objects.create(
            criterion=plan.framework.criteria.get(code=code),
            year=2018,
            kind=Score.Kind.SELF,
            value=Decimal(value),
        )

    report = import_official_results(
        sheet=read_official_results(official_xlsx(), year=2018), plan=plan, year=2018
    )

    # 2.1 lost 1 point with its reason; 1.2 lost 1 point without one.
    assert [w for w in report.warnings if "chưa có lý do" in w] == [
        "1.2: thấp hơn điểm tự đánh giá 1 điểm nhưng chưa có lý do trừ điểm."
    ]


def test_dry_run_writes_nothing(plan):
    report = import_official_results(
        sheet=read_official_results(official_xlsx(), year=2018), plan=plan, year=2018, dry_run=True
    )

    assert official_2018() == {}
    assert len(report.created) == len(OFFICIAL)


@pytest.mark.parametrize(
    ("official", "message"),
    [
        (
            {**OFFICIAL, "1.1.1": (0.75, None)},
            f"Dòng {row_number('1.1.1')}, cột “Điểm chính thức năm 2018”: 0,75 lớn hơn "
            "điểm chuẩn 0,5 của tiêu chí 1.1.1.",
        ),
        (
            {**OFFICIAL, "1.2": ("bảy", None)},
            f"Dòng {row_number('1.2')}, cột “Điểm chính thức năm 2018”: “bảy” không phải là số",
        ),
        (
            {**OFFICIAL, "1.2": (-1, None)},
            f"Dòng {row_number('1.2')}, cột “Điểm chính thức năm 2018”: Điểm không được âm",
        ),
    ],
)
def test_a_bad_value_names_its_row_and_column_and_writes_nothing(plan, official, message):
    with pytest.raises(AppendixError) as raised:
        sheet = read_official_results(official_xlsx(official), year=2018)
        import_official_results(sheet=sheet, plan=plan, year=2018)

    assert any(problem.startswith(message) for problem in raised.value.problems), (
        raised.value.problems
    )
    assert official_2018() == {}


def test_an_unknown_code_names_its_row_and_the_code_column_and_writes_nothing(plan):
    rows = [*ROWS]
    rows.append(["2.9", "Tiêu chí lạ", 1, 1, 1, 1, None])
    data = official_xlsx({**OFFICIAL, "2.9": (1, None)}, rows=rows)

    with pytest.raises(AppendixError) as raised:
        import_official_results(sheet=read_official_results(data, year=2018), plan=plan, year=2018)

    assert raised.value.problems == [
        f"Dòng {7 + len(rows) - 1}, cột “Stt”: không có tiêu chí “2.9” trong bộ tiêu chí "
        "của kế hoạch 252/KH-UBND."
    ]
    assert official_2018() == {}


def test_a_column_of_another_year_is_refused(plan):
    with pytest.raises(AppendixError, match="là điểm năm 2019, không phải năm 2018"):
        read_official_results(official_xlsx(title="Kết quả thẩm định năm 2019"), year=2018)


def test_a_file_without_an_official_column_is_refused():
    with pytest.raises(AppendixError, match="thiếu cột điểm chính thức"):
        read_official_results(appendix_xlsx(), year=2018)


def test_a_reason_without_a_score_is_refused(plan):
    with pytest.raises(AppendixError, match="có lý do trừ điểm nhưng chưa có điểm chính thức"):
        read_official_results(official_xlsx({**OFFICIAL, "2.1": (None, "Lý do")}), year=2018)


def test_the_results_exports_title_is_read_as_the_official_column(plan):
    """The year's results export titles the official column "Kết quả thẩm định năm …"."""
    sheet = read_official_results(official_xlsx(title="Kết quả thẩm định năm 2018"), year=2018)
    assert {row.code for row in sheet.rows} == set(OFFICIAL)


def test_command_imports_and_refuses_with_the_problems(plan, tmp_path):
    good, bad = tmp_path / "ket-qua.xlsx", tmp_path / "sai.xlsx"
    good.write_bytes(official_xlsx())
    bad.write_bytes(official_xlsx({**OFFICIAL, "1.1.1": (3, None)}))
    err = StringIO()

    with pytest.raises(CommandError, match="Không nhập"):
        call_command(
            "import_official_results", bad, "--plan", plan.number, "--year", "2018", stderr=err
        )
    assert "lớn hơn điểm chuẩn" in err.getvalue()
    assert official_2018() == {}

    out = StringIO()
    call_command(
        "import_official_results", good, "--plan", plan.number, "--year", "2018", stdout=out
    )
    assert len(official_2018()) == len(OFFICIAL)
    assert "7 điểm chính thức mới" in out.getvalue()


# -- The admin page: preview, then confirm -------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, plan: Plan, data: bytes, year: int = 2018):
    return client.post(
        reverse("admin:criteria_score_import"),
        {
            "plan": plan.pk,
            "year": year,
            "format": 0,
            "import_file": SimpleUploadedFile("ket-qua.xlsx", data, XLSX),
        },
    )


@pytest.fixture
def noivu_admin(noivu_staff):
    """Sở Nội vụ staff as the demo makes them: with access to the admin."""
    noivu_staff.is_staff = True
    noivu_staff.save()
    return noivu_staff


def test_admin_previews_then_imports_on_confirmation(client, plan, noivu_admin):
    client.force_login(noivu_admin)

    preview = _upload(client, plan, official_xlsx())

    assert preview.status_code == 200
    assert official_2018() == {}
    page = preview.content.decode()
    assert "Kế hoạch chưa hoàn thành đúng hạn" in page
    assert "7 điểm chính thức mới" in page
    confirmed = client.post(
        reverse("admin:criteria_score_process_import"), preview.context["confirm_form"].initial
    )
    assert confirmed.status_code == 302
    assert official_2018()["1.1.2"] == (Decimal("0.5"), "Kế hoạch chưa hoàn thành đúng hạn")
    assert Score.objects.get(criterion__code="1.1.2", year=2018, kind="official").entered_by == (
        noivu_admin
    )


def test_admin_shows_the_problems_of_a_bad_file_and_offers_no_confirmation(
    client, plan, noivu_admin
):
    client.force_login(noivu_admin)

    preview = _upload(client, plan, official_xlsx({**OFFICIAL, "1.1.1": (2, None)}))

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context or not preview.context["confirm_form"]
    assert (
        f"Dòng {row_number('1.1.1')}, cột “Điểm chính thức năm 2018”: 2 lớn hơn điểm chuẩn 0,5"
        in preview.content.decode()
    )
    assert official_2018() == {}


def test_admin_refuses_a_file_of_another_year(client, plan, noivu_admin):
    client.force_login(noivu_admin)

    preview = _upload(client, plan, official_xlsx(), year=2019)

    assert "là điểm năm 2018, không phải năm 2019" in preview.content.decode()
    assert not Score.objects.filter(year__in=[2018, 2019]).exists()


@pytest.mark.parametrize("role", ["leader", "agency_user"])
def test_admin_import_is_not_for_leaders_or_agencies(client, request, plan, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("admin:criteria_score_import"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_admin_refuses_a_file_that_is_not_xlsx_with_the_checks_reason(client, plan, noivu_admin):
    client.force_login(noivu_admin)

    preview = _upload(client, plan, b"%PDF-1.4 not a spreadsheet")

    assert preview.status_code == 200
    assert "Tệp không phải là tệp Excel .xlsx" in preview.content.decode()
    assert official_2018() == {}
