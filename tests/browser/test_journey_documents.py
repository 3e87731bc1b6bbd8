"""Sở Nội vụ downloads every generated document of the year by clicking the links on its
pages: the self-assessment and plan-results drafts from the tracker, the appraisal and the
evidence package from the appraisal page; each file opens and holds the year's figures."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from docx import Document
from playwright.sync_api import Page

from criteria.models import Criterion, Score
from tests.assignments.conftest import media, seed_plan, seed_tasks, tien_giang, today  # noqa: F401
from tests.assignments.test_yearly_report import agency_user, tu_phap_report  # noqa: F401
from tests.reports.test_evidence_package import sent  # noqa: F401

pytestmark = pytest.mark.browser


def _download(page: Page, name: str, tmp_path: Path, *, exact: bool = True) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=exact).click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.header.paragraphs]
    return "\n".join(texts)


def _xlsx_values(path: Path) -> set:
    book = openpyxl.load_workbook(path)
    return {
        value
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }


def test_sở_nội_vụ_downloads_each_document_of_the_year(
    page: Page,
    live_server,
    login,
    noivu_staff,
    staff_password,
    sent,  # noqa: F811
    tmp_path,
):
    report, _plan_doc, _report_doc = sent
    criterion = Criterion.objects.get(framework=report.cycle.plan.framework, code="2.1.1")
    Score.objects.create(criterion=criterion, year=2019, kind=Score.Kind.SELF, value=Decimal(1))
    Score.objects.create(
        criterion=criterion, year=2019, kind=Score.Kind.OFFICIAL, value=Decimal("0.5")
    )
    login(page, live_server, noivu_staff, staff_password)

    # The tracker of 2019 links the two drafts, each as .docx and .xlsx.
    page.goto(live_server.url + reverse("assignments:cycle-detail", args=[2019]))
    plan_results = _download(page, "Báo cáo kết quả thực hiện Kế hoạch (.docx)", tmp_path)
    assert plan_results.name == "Báo cáo kết quả thực hiện Kế hoạch năm 2019.docx"
    assert "Độc lập - Tự do - Hạnh phúc" in _docx_text(plan_results)
    plan_results_xlsx = page.get_by_role("link", name=".xlsx").first
    with page.expect_download() as info:
        plan_results_xlsx.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "Báo cáo kết quả thực hiện Kế hoạch năm 2019.xlsx"
    assert "Sở Tư pháp" in {str(v).strip() for v in _xlsx_values(path)}

    self_assessment = _download(page, "Báo cáo tự đánh giá Chỉ số CCHC (.docx)", tmp_path)
    assert self_assessment.name == "Báo cáo tự đánh giá Chỉ số CCHC năm 2019.docx"
    assert "Độc lập - Tự do - Hạnh phúc" in _docx_text(self_assessment)
    with page.expect_download() as info:
        page.get_by_role("link", name=".xlsx").nth(1).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "Báo cáo tự đánh giá Chỉ số CCHC năm 2019.xlsx"
    assert "2.1.1" in {str(v).strip() for v in _xlsx_values(path)}

    # The appraisal page links its export and the year's evidence package.
    page.goto(live_server.url + reverse("reports:appraisal", args=[2019]))
    appraisal = _download(page, "Tải về (.xlsx)", tmp_path)
    rows = list(openpyxl.load_workbook(appraisal).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Mã"
    assert [(r[0], Decimal(str(r[5]))) for r in rows[1:-1]] == [("2.1.1", Decimal("0.5"))]

    package = _download(page, "Tải bộ tài liệu kiểm chứng (.zip)", tmp_path)
    archive = zipfile.ZipFile(package)
    names = archive.namelist()
    assert "index.xlsx" in names
    assert "2.1.1/01 - 252-KH-UBND - Kế hoạch cải cách hành chính năm 2019.pdf" in names
    index = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")))
    assert list(index.worksheets[0].iter_rows(values_only=True))[1][0] == "2.1.1"
