"""The People's Committee's decision publishing the units' results (reports/documents/
unit_results.py): the issue's round — two departments (one exempt from area 3), three
districts in two clusters with a tie, a branch agency above 100 with its bonus — drafted as
.docx and read back with python-docx; every figure agrees with assessments.ranking to the
cent; who may download it; queries that do not grow with the units."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from docx import Document

from assessments.models import Assessment
from assessments.ranking import round_results
from assignments.models import Agency, Role
from criteria.models import Plan
from reports.documents.drafts import DraftError, draft_report
from reports.documents.unit_results import total_text
from tests.assessments.test_unit_index import Index, national_plan
from tests.assessments.test_unit_pages import approved
from tests.assessments.units import load_framework, make_round, user, walk

pytestmark = pytest.mark.django_db
D = Decimal
HEADER = ["Xếp hạng", "Đơn vị", "Tổng điểm", "Xếp loại", "So với năm 2019"]


@pytest.fixture
def plan() -> Plan:
    """Plan 252/KH-UBND with its national framework, in force when the unit frameworks are
    loaded: their column of related sub-criteria names its codes."""
    return national_plan()


@pytest.fixture
def index(plan) -> Index:
    """The issue's round of 2020, every unit approved; Sở Y tế also in 2019 (97 then)."""
    index = Index()
    # Sở Tư pháp: exempt from area 3 (14 points): 85 of 86 → 85 × 100 ÷ 86 = 98,84.
    index.walk("department", index.tu_phap, cuts={"1.1.2": "2"})
    # Sở Y tế: 100 + 1,5 bonus − 3 penalty = 98,50.
    index.walk("department", index.y_te, scores={"9.1": "1.5", "10.2": "3"})
    # Cái Bè and Chợ Gạo at 100 (a tie), Cai Lậy 98 (1.1.2 cut from 3 to 1).
    index.walk("district", index.cai_be)
    index.walk("district", index.cho_gao)
    index.walk("district", index.cai_lay, cuts={"1.1.2": "1"})
    # Cục Thuế: 100 + 1,5 + 1 of bonus = 102,50.
    index.walk("branch", index.thue, scores={"7.1": "1.5", "8": "1"})
    # 2019: Sở Y tế loses 3 points (1.1.2 cut to 0), so 2020 is +1,50 for it.
    earlier = make_round(load_framework("department", 2019), 2019)
    walk(
        earlier, index.y_te, unit_user=index.users[index.y_te.pk], staff=index.staff,
        leader=index.leader, cuts={"1.1.2": "0"},
    )  # fmt: skip
    return index


def _document(**options) -> Document:
    draft = draft_report(kind="unit-results", plan=None, year=2020, **options)
    return Document(io.BytesIO(draft.content))


def _tables(document) -> list[tuple[str, list[list[str]]]]:
    """The body's result tables, each with the heading above it and its rows below the
    header row (whose texts are checked)."""
    found, heading = [], ""
    body = document.element.body
    paragraphs = {p._p: p for p in document.paragraphs}
    tables = {t._tbl: t for t in document.tables}
    for element in body:
        if element in paragraphs and paragraphs[element].style.name.startswith("Heading"):
            heading = paragraphs[element].text
        elif element in tables:
            rows = [[cell.text for cell in row.cells] for row in tables[element].rows]
            if rows[0] == HEADER:
                found.append((heading, rows[1:]))
    return found


def _by_name(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[1].removesuffix(" (*)"): row for row in rows}


def test_the_decision_has_one_table_per_type_and_cluster_agreeing_with_the_ranking(index):
    document = _document(number="3209", date=datetime.date(2020, 12, 8))

    left, right = document.tables[0].rows[0].cells
    assert "Số: 3209/QĐ-UBND" in [p.text for p in left.paragraphs]
    assert "Tiền Giang, ngày 08 tháng 12 năm 2020" in [p.text for p in right.paragraphs]
    texts = [p.text for p in document.paragraphs]
    assert "QUYẾT ĐỊNH" in texts
    assert (
        "Công bố kết quả Chỉ số cải cách hành chính năm 2020 của các sở, ban, ngành tỉnh; "
        "các cơ quan ngành dọc Trung ương trên địa bàn tỉnh; UBND các huyện, thị xã, thành phố"
    ) in texts
    assert "QUYẾT ĐỊNH:" in texts and "{{noi_dung}}" not in texts
    assert [heading for heading, _rows in _tables(document)] == [
        "1. Kết quả Chỉ số CCHC của các sở, ban, ngành tỉnh",
        "2. Kết quả Chỉ số CCHC của các cơ quan ngành dọc Trung ương trên địa bàn tỉnh",
        "3. Kết quả Chỉ số CCHC của UBND các huyện, thị xã, thành phố",
        "a) Cụm 1",
        "b) Cụm 2",
    ]
    signature = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert "- Như Điều 3;" in signature
    # The exempt unit's scaled total is explained once, under the tables.
    notes = [text for text in texts if text.startswith("(*)")]
    assert len(notes) == 1 and "quy đổi" in notes[0]

    # Every total, rank, band and change agrees with the ranking.
    tables = dict(_tables(document))

    for unit_type, number in (("department", 1), ("branch", 2), ("district", 3)):
        results = round_results(index.rounds[unit_type])
        rows = next(rows for heading, rows in tables.items() if heading.startswith(f"{number}."))
        assert [row[1].removesuffix(" (*)") for row in rows] == [
            r.agency.name for r in results.results
        ]
        for result, row in zip(results.results, rows, strict=True):
            assert row[0] == str(result.rank)
            assert row[2] == total_text(result.total)
            assert row[3] == result.band.name
    departments = _by_name(tables["1. Kết quả Chỉ số CCHC của các sở, ban, ngành tỉnh"])
    # The exempt department's scaled total, marked and explained under the tables.
    assert departments["Sở Tư pháp"][1:4] == ["Sở Tư pháp (*)", "98,84", "Tốt"]
    assert departments["Sở Y tế"][2:] == ["98,50", "Tốt", "+1,50"]  # 2019: 97
    assert departments["Sở Tư pháp"][4] == ""  # no result in 2019
    branch = next(rows for heading, rows in tables.items() if heading.startswith("2."))
    assert branch == [["1", "Cục Thuế tỉnh", "102,50", "Tốt", ""]]

    # Ties share a rank in the type and in the clusters.
    districts = tables["3. Kết quả Chỉ số CCHC của UBND các huyện, thị xã, thành phố"]
    assert sorted((row[1], row[0], row[2]) for row in districts) == [
        ("UBND huyện Cai Lậy", "3", "98,00"),
        ("UBND huyện Chợ Gạo", "1", "100,00"),
        ("UBND huyện Cái Bè", "1", "100,00"),
    ]
    assert [(row[0], row[1]) for row in tables["a) Cụm 1"]] == [
        ("1", "UBND huyện Cái Bè"), ("2", "UBND huyện Cai Lậy"),
    ]  # fmt: skip
    assert [(row[0], row[1]) for row in tables["b) Cụm 2"]] == [("1", "UBND huyện Chợ Gạo")]


def test_only_approved_results_count_and_what_cannot_be_drafted_is_refused(index, plan, tmp_path):
    pending = Agency.objects.create(name="Sở Xây dựng", short_name="SXD", kind="department")
    approved(index.rounds["department"], pending, {})
    Assessment.objects.filter(agency=pending).update(status=Assessment.Status.FINAL)

    rows = dict(_tables(_document()))["1. Kết quả Chỉ số CCHC của các sở, ban, ngành tỉnh"]
    assert "Sở Xây dựng" not in _by_name(rows)

    make_round(load_framework("district", 2021), 2021)
    with pytest.raises(DraftError, match="chưa có đơn vị nào được phê duyệt kết quả"):
        draft_report(kind="unit-results", plan=plan, year=2021)
    with pytest.raises(DraftError, match="Năm 2022 chưa có đợt đánh giá"):
        draft_report(kind="unit-results", plan=plan, year=2022)
    with pytest.raises(DraftError, match="chỉ soạn được dạng .docx"):
        draft_report(kind="unit-results", plan=plan, year=2020, fmt="xlsx")
    with pytest.raises(DraftError, match="do Ủy ban nhân dân tỉnh ban hành"):
        draft_report(kind="unit-results", plan=plan, year=2020, issuer="snv")

    # The command, without a plan number: the current plan gives the province.
    out = tmp_path / "qd.docx"

    call_command(
        "draft_report", "unit-results", "--year", "2020", "-o", str(out),
        "--signer-name", "Nguyễn Văn A", stdout=io.StringIO(),
    )  # fmt: skip

    document = Document(str(out))
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs]
    assert "Nguyễn Văn A" in signature and "TM. ỦY BAN NHÂN DÂN" in signature[0]
    with pytest.raises(CommandError, match="Cần chọn kế hoạch"):
        call_command(
            "draft_report", "plan-results", "--year", "2020", "-o", str(out),
            stdout=io.StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="chưa có đợt đánh giá"):
        call_command(
            "draft_report", "unit-results", "--year", "2018", "-o", str(tmp_path / "x.docx"),
            stdout=io.StringIO(),
        )  # fmt: skip
    assert not (tmp_path / "x.docx").exists()


# -- The download -----------------------------------------------------------------------------


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


URL = reverse("reports:document-download", args=[2020, "unit-results", "docx"])


def test_only_sở_nội_vụ_leaders_and_administrators_download_it_from_the_results_page(index):
    admin = user("quantri", Role.ADMINISTRATOR)
    for person in (index.staff, index.leader, admin):
        client = _client(person)
        page = client.get(reverse("reports:unit-results", args=[2020])).content.decode()
        response = client.get(URL)

        assert URL in page
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
        tables = _tables(Document(io.BytesIO(response.content)))
        assert tables[1][1][0][2] == "102,50"
        # Each unit's total, as the page shows it in its row (to the cent).
        for _heading, rows in tables:
            for row in rows:
                name = row[1].removesuffix(" (*)")
                line = re.search(rf">{re.escape(name)}</a></td>(.*?)</tr>", page, re.S)
                assert f'class="num total">{row[2]}</td>' in line.group(1)

    # Units and council members read the published table, without the draft.
    index.rounds["department"].is_published = True
    index.rounds["department"].save()
    member = user("hoidong", Role.COUNCIL_MEMBER)
    for person in (index.users[index.tu_phap.pk], member):
        client = _client(person)
        page = client.get(reverse("reports:unit-results", args=[2020])).content.decode()

        assert "98,84" in page  # the published table, without the draft
        assert URL not in page
        assert client.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_the_link_waits_for_approved_results(plan, noivu_staff):
    make_round(load_framework("department"))

    page = _client(noivu_staff).get(reverse("reports:unit-results", args=[2020])).content.decode()

    assert URL not in page
    assert "Đợt đánh giá Sở, ban, ngành tỉnh 2020 chưa có đơn vị nào được phê duyệt kết quả" in page
    assert _client(noivu_staff).get(URL).status_code == 404


def test_the_downloads_queries_do_not_grow_with_the_units(index, django_assert_num_queries):
    client = _client(index.staff)
    counts = []
    for more in (0, 10):
        for number in range(more):
            agency = Agency.objects.create(
                name=f"Sở số {number}", short_name=f"S{number}", kind="department"
            )
            approved(index.rounds["department"], agency, {"1.1.1": "2"})
        # session, user, role, the plan; the year's rounds; per round (3): its approved
        # assessments with their sums by kind, the maxima of the framework's leaves, the
        # bands, the clusters with their members, the previous round (and, for the
        # departments, its two)
        with django_assert_num_queries(22):
            response = client.get(URL)
        counts.append(len(_tables(Document(io.BytesIO(response.content)))[0][1]))
    assert counts == [2, 12]
