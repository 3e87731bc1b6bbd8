"""The year's evidence package: a folder per sub-criterion with evidence, an index of every
file, the sub-criteria without evidence and their explanations."""

import datetime
import hashlib
import io
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from assignments import yearly
from assignments.models import EvidenceDocument
from reports.evidence_package import file_name, safe_name, write_evidence_package
from tests.assignments.conftest import media, seed_plan, seed_tasks, tien_giang, today  # noqa: F401
from tests.assignments.test_yearly_report import _fill, agency_user, tu_phap_report  # noqa: F401

pytestmark = pytest.mark.django_db

PLAN_PDF = b"%PDF-1.4\nKe hoach cai cach hanh chinh\n" * 50
REPORT_DOCX = b"PK\x03\x04 bao cao" * 20


def _document(agency, *, number: str, title: str, name: str, content: bytes) -> EvidenceDocument:
    document = EvidenceDocument(
        agency=agency,
        number=number,
        issued_on=datetime.date(2019, 1, 15),
        issuer="UBND tỉnh Tiền Giang",
        title=title,
        original_name=name,
        content_type="application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    document.file.save("evidence" + name[name.rfind(".") :], ContentFile(content), save=True)
    return document


@pytest.fixture
def sent(tu_phap_report, media, agency_user):  # noqa: F811
    """Sở Tư pháp's sent report: 2.1.1 with the plan (page 3); 2.1.2 with the plan (page 4)
    and a report; the rest explained without documents."""
    user = agency_user
    plan_doc = _document(
        tu_phap_report.agency,
        number="252/KH-UBND",
        title="Kế hoạch cải cách hành chính: năm 2019?",
        name="ke hoach.PDF",
        content=PLAN_PDF,
    )
    report_doc = _document(
        tu_phap_report.agency,
        number="",
        title="Báo cáo kết quả",
        name="bao-cao.docx",
        content=REPORT_DOCX,
    )
    _fill(tu_phap_report, user, plan_doc)
    second = tu_phap_report.score_proposals.get(criterion__code="2.1.2")
    yearly.link_document(proposal=second, document=report_doc, location="mục II", by=user)
    tu_phap_report.refresh_from_db()
    yearly.send_yearly_report(report=tu_phap_report, by=user, version=tu_phap_report.version)
    return tu_phap_report, plan_doc, report_doc


def _package(plan, year: int = 2019) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_evidence_package(plan=plan, year=year, out=out)
    return zipfile.ZipFile(out)


def test_package_has_a_folder_per_sub_criterion_and_the_stored_bytes(sent):
    report, plan_doc, report_doc = sent

    archive = _package(report.cycle.plan)

    names = archive.namelist()
    documents = [n for n in names if n != "index.xlsx"]
    assert sorted({n.split("/")[0] for n in documents}) == ["2.1.1", "2.1.2"]
    assert documents == [
        "2.1.1/01 - 252-KH-UBND - Kế hoạch cải cách hành chính năm 2019.pdf",
        "2.1.2/01 - 252-KH-UBND - Kế hoạch cải cách hành chính năm 2019.pdf",
        "2.1.2/02 - Báo cáo kết quả.docx",
    ]
    assert archive.read(documents[0]) == PLAN_PDF
    assert archive.read(documents[1]) == PLAN_PDF
    assert archive.read(documents[2]) == REPORT_DOCX
    # Vietnamese names carry the zip's UTF-8 flag.
    assert archive.getinfo(documents[0]).flag_bits & 0x800


def test_index_lists_every_file_and_the_sub_criteria_without_evidence(sent):
    report, plan_doc, _report_doc = sent

    archive = _package(report.cycle.plan)

    book = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")))
    files, without = book.worksheets
    rows = list(files.iter_rows(values_only=True))
    assert rows[0][-1] == "Tên tệp trong bộ hồ sơ"
    listed = [row[-1] for row in rows[1:]]
    assert sorted(listed) == sorted(n for n in archive.namelist() if n != "index.xlsx")
    first = rows[1]
    assert first[:7] == (
        "2.1.1",
        1,
        "252/KH-UBND",
        "15/01/2019",
        "UBND tỉnh Tiền Giang",
        "Kế hoạch cải cách hành chính: năm 2019?",
        "trang 3",
    )
    assert first[7] == "Sở Tư pháp"
    missing = {row[0]: row[3] for row in list(without.iter_rows(values_only=True))[1:]}
    assert "2.1.1" not in missing and "2.1.2" not in missing
    assert missing["2.2"] == "Sở TP: Chưa có văn bản, đang trình ký."
    # Every other sub-criterion of the plan is listed there too.
    leaves = report.cycle.plan.framework.criteria.leaves().count()
    assert len(missing) == leaves - 2


def test_a_stored_file_that_is_gone_is_named_in_the_index(sent):
    report, _plan_doc, report_doc = sent
    report_doc.file.storage.delete(report_doc.file.name)

    archive = _package(report.cycle.plan)

    assert "2.1.2/02 - Báo cáo kết quả.docx" not in archive.namelist()
    book = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")))
    last = list(book.worksheets[0].iter_rows(values_only=True))[-1]
    assert last[-1] == "Không đọc được tệp trong kho lưu trữ"


def test_names_are_safe_and_keep_the_extension():
    document = EvidenceDocument(
        number="12/QĐ-UBND", title='a/b\\c:d*e?"f<g>|h\x00 ', original_name="x.Tar.PDF"
    )
    document.file.name = "evidence/library/1/abc.pdf"

    assert safe_name("../../etc/passwd") == "-..-etc-passwd"
    assert file_name("3.4.1", 7, document) == "3.4.1/07 - 12-QĐ-UBND - a-b-c d e f g h.pdf"


def test_download_is_for_readers_and_streams_the_zip(client, sent, noivu_staff, agency_user):  # noqa: F811
    report, *_ = sent
    url = reverse("reports:evidence-package", args=[2019])

    client.force_login(agency_user)
    assert client.get(url).status_code == 403
    client.force_login(noivu_staff)
    response = client.get(url)

    assert response.status_code == 200
    assert response.streaming
    assert "tai-lieu-kiem-chung-252-KH-UBND-2019.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "index.xlsx" in archive.namelist()
    assert archive.read("2.1.2/02 - Báo cáo kết quả.docx") == REPORT_DOCX


def test_command_writes_the_package_and_refuses_unknown_plan_or_year(sent, tmp_path):
    report, *_ = sent
    target = tmp_path / "goi.zip"

    with pytest.raises(CommandError, match="Không có kế hoạch số “999/KH”"):
        call_command("evidence_package", "--year", "2019", "--plan", "999/KH", "-o", target)
    with pytest.raises(CommandError, match="Năm 2031 không thuộc kế hoạch"):
        call_command("evidence_package", "--year", "2031", "--plan", "252/KH-UBND", "-o", target)
    out = StringIO()
    call_command(
        "evidence_package", "--year", "2019", "--plan", "252/KH-UBND", "-o", target, stdout=out
    )

    assert len(zipfile.ZipFile(target).namelist()) == 4
    assert "3 tệp trong 2 thư mục" in out.getvalue()
