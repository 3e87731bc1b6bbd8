"""Hostile uploads: the files an attacker or a careless export may send, and how to send them.

One corpus for two users: tests/test_hostile_files.py sends every file through the real
request path and asserts the refusal, and bench/hostile.py measures each request's time and
memory. Each file is built on first use and kept, as some unpack to hundreds of megabytes.

Spreadsheets go to the appendix import form of the admin; evidence files to the upload of a
report. The limits they meet are the production ones (par_portal/settings.py).
"""

import functools
import html
import io
import random
import re
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from assignments.models import Report
from tests.assignments.reporting import (
    PDF_BYTES,
    PNG_BYTES,
    docx_bytes,
    office_bytes,
    report_form_data,
)
from tests.criteria.sheets import appendix_xlsx

MEGABYTE = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPENDIX, EVIDENCE = "appendix", "evidence"
ERROR_LIST = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class HostileFile:
    """A file, where it is sent, and the words of the refusal its sender must read."""

    label: str
    route: str  # APPENDIX or EVIDENCE
    name: str
    message: str
    build: Callable[[], bytes]

    @property
    def content(self) -> bytes:
        return _built(self.build)


@functools.cache
def _built(build: Callable[[], bytes]) -> bytes:
    return build()


# -- Builders ------------------------------------------------------------------------------


def with_parts(
    source: bytes,
    extra: dict[str, bytes] | None = None,
    *,
    edit: dict[str, Callable[[bytes], bytes]] | None = None,
) -> bytes:
    """A copy of a zip package with parts added and some parts' contents edited."""
    edit = edit or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as package,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in package.infolist():
            content = package.read(item)
            copy.writestr(item.filename, edit.get(item.filename, lambda c: c)(content))
        for name, content in (extra or {}).items():
            copy.writestr(name, content)
    return out.getvalue()


def with_zeros(source: bytes, name: str, megabytes: int) -> bytes:
    """A copy of a package with a part of zeros, written a megabyte at a time: a bomb of
    hundreds of megabytes is built without holding them."""
    out = io.BytesIO(with_parts(source))
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as package,
        package.open(name, "w") as part,
    ):
        zeros = bytes(MEGABYTE)
        for _ in range(megabytes):
            part.write(zeros)
    return out.getvalue()


def noise(size: int) -> bytes:
    """Bytes that do not compress, the same on every run."""
    return random.Random(size).randbytes(size)


# A thousand million "lol"s from a few hundred bytes, if a parser expands the entities.
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
LAUGHS_DTD = (
    b'<!DOCTYPE worksheet [\n<!ENTITY lol0 "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    + b"]>\n"
)
LAUGHS_CELL = b'<row r="99"><c r="A99" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
SHEET = "xl/worksheets/sheet1.xml"
VBA_PROJECT = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)  # the OLE file Excel writes


def _appendix() -> bytes:
    return appendix_xlsx()


def _zip_bomb() -> bytes:
    return with_zeros(_appendix(), "xl/media/image1.bin", 1024)


def _high_ratio() -> bytes:
    return with_zeros(_appendix(), "xl/media/image1.bin", 20)


def _many_parts() -> bytes:
    return with_parts(_appendix(), {f"xl/media/image{n}.png": b"" for n in range(600)})


def _xlsm_renamed() -> bytes:
    """What Excel writes as .xlsm: the macro-enabled workbook type and its VBA project."""
    workbook = b"spreadsheetml.sheet.main+xml"
    return with_parts(
        _appendix(),
        {"xl/vbaProject.bin": VBA_PROJECT},
        edit={
            "[Content_Types].xml": lambda types: types.replace(
                b"application/vnd.openxmlformats-officedocument." + workbook,
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
    )


def _not_a_zip() -> bytes:
    return b"<html><body><table><tr><td>1</td></tr></table></body></html>"


def _laughs(padding: bytes = b"") -> bytes:
    """The sheet's XML with the entities declared, after `padding`, and one cell using them."""

    def sheet(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml
        body = body.replace(b"<sheetData>", b"<sheetData>" + LAUGHS_CELL, 1)
        return XML_DECLARATION + padding + LAUGHS_DTD + body

    return with_parts(_appendix(), edit={SHEET: sheet})


def _padded_laughs() -> bytes:
    """The same after 8 KB of comment: past what a look at a part's first bytes sees."""
    return _laughs(b"<!--" + b" " * 8192 + b"-->\n")


def _oversized_xlsx() -> bytes:
    return with_parts(_appendix(), {"xl/media/photo.jpg": noise(6 * MEGABYTE)})


def _many_rows(count: int, *, dimension_rows: int | None = None) -> bytes:
    """The appendix's header over `count` criteria rows: a few megabytes at most, within
    every size limit, but far more rows than any plan has. The sheet's <dimension> states
    `dimension_rows` (the true size by default), as a tool that lies about it would."""
    columns = "ABCDEFG"

    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    def row(number: int, cells: list[str]) -> str:
        return f'<row r="{number}">{"".join(cells)}</row>'

    header = [row(1, [text(f"{c}1", t) for c, t in zip(columns, HEADER_TITLES, strict=True)])]
    body = (
        row(
            line,
            [
                text(f"A{line}", f"{1 + n // 998_001 % 8}.{1 + n // 999 % 999}.{1 + n % 999}"),
                text(f"B{line}", f"Tiêu chí thành phần số {n}"),
                *(f'<c r="{c}{line}"><v>0.5</v></c>' for c in "CDEF"),
                text(f"G{line}", "Sở Nội vụ"),
            ],
        )
        for n, line in enumerate(range(2, count + 2))
    )
    stated = count + 1 if dimension_rows is None else dimension_rows
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:G{stated}"/><sheetData>{"".join(header)}{"".join(body)}'
        "</sheetData></worksheet>"
    )
    return with_parts(_appendix(), edit={SHEET: lambda _old: xml.encode()})


HEADER_TITLES = [
    "Stt",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm chuẩn",
    "Điểm đạt được năm 2017",
    "Mục tiêu năm 2018",
    "Mục tiêu năm 2019- 2020",
    "Thực hiện",
]


def _claims_a_million_rows() -> bytes:
    """A plain appendix whose sheet states it spans A1:XFD1048576: a reader that believes
    it pads the table with a million rows of 16,384 empty cells."""
    return with_parts(
        _appendix(),
        edit={
            SHEET: lambda xml: re.sub(
                rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml
            )
        },
    )


def _docx_bomb() -> bytes:
    return with_zeros(docx_bytes(), "word/media/image1.bin", 1024)


# -- The corpus ----------------------------------------------------------------------------

NOT_XLSX = "không phải là tệp Excel .xlsx"
TOO_MANY_ROWS = "có hơn 2.000 dòng, quá giới hạn của một phụ lục"
NOT_EVIDENCE = "không phải là PDF, Word (.docx), Excel (.xlsx) hay ảnh (PNG, JPEG, GIF)"

CORPUS: list[HostileFile] = [
    HostileFile(
        "zip bomb: 1 GB of zeros in a 1 MB .xlsx",
        APPENDIX,
        "phu-luc.xlsx",
        "khi giải nén lớn tới 1024.0 MB, vượt giới hạn 50.0 MB",
        _zip_bomb,
    ),
    HostileFile(
        "a 20 MB part compressed a thousandfold",
        APPENDIX,
        "phu-luc.xlsx",
        "tỉ lệ nén bất thường",
        _high_ratio,
    ),
    HostileFile("600 parts", APPENDIX, "phu-luc.xlsx", "quá nhiều thành phần", _many_parts),
    HostileFile(
        "macro-enabled .xlsm renamed .xlsx",
        APPENDIX,
        "phu-luc.xlsx",
        "có chứa macro",
        _xlsm_renamed,
    ),
    HostileFile("web page renamed .xlsx", APPENDIX, "phu-luc.xlsx", NOT_XLSX, _not_a_zip),
    HostileFile(
        "old .xls renamed .xlsx",
        APPENDIX,
        "phu-luc.xlsx",
        NOT_XLSX,
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
    ),
    HostileFile(
        "billion laughs in the sheet's XML", APPENDIX, "phu-luc.xlsx", "DOCTYPE/ENTITY", _laughs
    ),
    HostileFile(
        "billion laughs after 8 KB of comment",
        APPENDIX,
        "phu-luc.xlsx",
        "DOCTYPE/ENTITY",
        _padded_laughs,
    ),
    HostileFile(
        "6 MB .xlsx (limit 5 MB)", APPENDIX, "phu-luc.xlsx", "Tệp quá lớn", _oversized_xlsx
    ),
    HostileFile(
        "30,000 rows within every size limit",
        APPENDIX,
        "phu-luc.xlsx",
        TOO_MANY_ROWS,
        lambda: _many_rows(30_000),
    ),
    HostileFile(
        "140,000 rows within every size limit",
        APPENDIX,
        "phu-luc.xlsx",
        TOO_MANY_ROWS,
        lambda: _many_rows(140_000),
    ),
    HostileFile(
        "30,000 rows under a dimension that states 10",
        APPENDIX,
        "phu-luc.xlsx",
        TOO_MANY_ROWS,
        lambda: _many_rows(30_000, dimension_rows=10),
    ),
    HostileFile(
        "a dimension that states a million rows of 16,384 cells",
        APPENDIX,
        "phu-luc.xlsx",
        TOO_MANY_ROWS,
        _claims_a_million_rows,
    ),
    HostileFile(
        "program named .pdf",
        EVIDENCE,
        "quyết định.pdf",
        NOT_EVIDENCE,
        lambda: b"MZ\x90\x00\x03\x00\x00\x00" + bytes(1024),
    ),
    HostileFile(
        "web page named .png",
        EVIDENCE,
        "ảnh chụp.png",
        NOT_EVIDENCE,
        lambda: b"<html><script>alert(1)</script></html>",
    ),
    HostileFile(
        "PNG named .pdf",
        EVIDENCE,
        "quyết định.pdf",
        "có nội dung PNG, không khớp với tên tệp",
        lambda: PNG_BYTES,
    ),
    HostileFile(
        "PDF named .docx",
        EVIDENCE,
        "báo cáo.docx",
        "có nội dung PDF, không khớp với tên tệp",
        lambda: PDF_BYTES,
    ),
    HostileFile(
        "plain zip named .docx",
        EVIDENCE,
        "báo cáo.docx",
        NOT_EVIDENCE,
        lambda: office_bytes({"readme.txt": b"x"}),
    ),
    HostileFile(
        ".docm renamed .docx",
        EVIDENCE,
        "báo cáo.docx",
        "có macro",
        lambda: docx_bytes(
            content_types=b'<Types><Override ContentType="application/'
            b'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
            extra={"word/vbaProject.bin": VBA_PROJECT},
        ),
    ),
    HostileFile(
        "zip bomb: 1 GB of zeros in a 1 MB .docx",
        EVIDENCE,
        "báo cáo.docx",
        "giải nén ra quá lớn",
        _docx_bomb,
    ),
    HostileFile(
        "11 MB PDF (limit 10 MB)",
        EVIDENCE,
        "quyết định.pdf",
        "lớn hơn giới hạn 10 MB",
        lambda: PDF_BYTES + noise(11 * MEGABYTE),
    ),
]


# -- Sending and measuring -----------------------------------------------------------------


def send(client: Client, hostile: HostileFile, *, plan_pk: int, report_pk: int) -> HttpResponse:
    """Post the file where a person would: the admin's import form or a report's upload."""
    if hostile.route == APPENDIX:
        upload = SimpleUploadedFile(hostile.name, hostile.content, XLSX_TYPE)
        return client.post(
            reverse("admin:criteria_criterion_import"),
            {"plan": plan_pk, "format": 0, "import_file": upload},
        )
    upload = SimpleUploadedFile(hostile.name, hostile.content, "application/octet-stream")
    url = reverse("assignments:report-update", args=[report_pk])
    report = Report.objects.get(pk=report_pk)
    return client.post(url, report_form_data(report, evidence=upload, save=""))


def refusal(response: HttpResponse) -> str:
    """The errors the page shows its reader, as text, one line."""
    lists = ERROR_LIST.findall(response.content.decode())
    return " ".join(" ".join(html.unescape(TAG.sub(" ", errors)).split()) for errors in lists)


def table_rows() -> dict[str, int]:
    """How many rows each table of the portal's apps holds, their histories included: the
    same before and after a refusal."""
    return {
        model._meta.label: model._meta.default_manager.count()
        for app in ("criteria", "assignments", "reports")
        for model in apps.get_app_config(app).get_models()
    }


@dataclass(frozen=True)
class Measured:
    response: HttpResponse
    peak_bytes: int  # the most Python memory held during the call, above what was held before


def measure_memory(call: Callable[[], HttpResponse]) -> Measured:
    """Run a request under tracemalloc and take the peak of what it allocated."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        response = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return Measured(response, peak - before)
