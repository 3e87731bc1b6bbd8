"""The year's evidence package for the ministry: one zip with a folder per sub-criterion
that has evidence, holding its documents under readable names ("2.1.1/01 - 252-KH-UBND -
Kế hoạch cải cách hành chính.pdf"), an index of every file and the list of sub-criteria
without evidence, with the owners' explanations.

What the package holds is the province's self-assessment as `assessments.province` reads
it (its evidence and explanations per sub-criterion), and nothing else. A document that
supports several sub-criteria is copied into each of their folders, so that each folder is
complete on its own; the index lists every copy.

The archive is written to a file-like object, each document copied from the evidence
storage (disk or S3) in chunks straight into its zip entry: memory stays bounded however
many documents there are.
"""

import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from assessments.province import ProvinceEntry, province_entries
from assignments.models import Agency, EvidenceDocument
from criteria.exporters import write_text
from criteria.models import Plan

CHUNK = 1024 * 1024
INDEX_NAME = "index.xlsx"
# Characters no file system or zip tool takes in a name, and control characters.
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
TITLE_MAX = 80
# Files already compressed: stored as they are rather than deflated again for nothing.
COMPRESSED = {".pdf", ".jpg", ".jpeg", ".png", ".zip", ".docx", ".xlsx", ".pptx", ".gz", ".7z"}
BOLD = Font(bold=True)


@dataclass(frozen=True)
class PackedFile:
    """One file of the package, as the index lists it."""

    code: str
    number: int
    document: EvidenceDocument
    locations: list[str]
    name: str  # the path inside the zip; "" when the stored file could not be read


@dataclass
class PackageSummary:
    """What a package holds."""

    files: list[PackedFile] = field(default_factory=list)
    without_evidence: list[ProvinceEntry] = field(default_factory=list)
    missing: list[PackedFile] = field(default_factory=list)  # stored files not found

    @property
    def folders(self) -> set[str]:
        return {f.code for f in self.files if f.name}

    def summary(self) -> str:
        return _(
            "%(files)s tệp trong %(folders)s thư mục; %(without)s tiêu chí thành phần không có "
            "tài liệu; %(missing)s tệp không đọc được."
        ) % {
            "files": len([f for f in self.files if f.name]),
            "folders": len(self.folders),
            "without": len(self.without_evidence),
            "missing": len(self.missing),
        }


def package_filename(plan: Plan, year: int) -> str:
    return f"tai-lieu-kiem-chung-{safe_name(plan.number)}-{year}.zip"


def safe_name(text: str) -> str:
    """A part of a file name: path separators and unsafe characters out, spaces collapsed."""
    text = unicodedata.normalize("NFC", text).replace("/", "-").replace("\\", "-")
    text = " ".join(UNSAFE.sub(" ", text).split())
    return text.strip(" .")


def _extension(document: EvidenceDocument) -> str:
    for name in (document.original_name, document.file.name):
        suffix = PurePath(name or "").suffix.lower()
        if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
            return suffix
    return ""


def file_name(code: str, number: int, document: EvidenceDocument) -> str:
    """The document's path in the package: its folder, its order, number and title."""
    title = safe_name(document.title)
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rstrip(" .") + "…"
    parts = [f"{number:02d}", safe_name(document.number), title]
    if not parts[1] and not parts[2]:
        parts.append(safe_name(PurePath(document.original_name).stem)[:TITLE_MAX] or "tai-lieu")
    return f"{code}/{' - '.join(part for part in parts if part)}{_extension(document)}"


def write_evidence_package(
    *, plan: Plan, year: int, out: IO[bytes], entries: Iterable[ProvinceEntry] | None = None
) -> PackageSummary:
    """Write the package of `year` to `out` (a file opened for writing, or a response's
    temporary file); `entries` default to the province's self-assessment of the year."""
    if entries is None:
        entries = province_entries(plan, year)
    summary = PackageSummary()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for entry in entries:
            if not entry.has_evidence:
                summary.without_evidence.append(entry)
                continue
            code = entry.criterion.code
            # One file per document in a folder; its several places inside it, together.
            locations: dict[int, tuple[EvidenceDocument, list[str]]] = {}
            for evidence in entry.evidence:
                document, places = locations.setdefault(
                    evidence.document.pk, (evidence.document, [])
                )
                if evidence.location and evidence.location not in places:
                    places.append(evidence.location)
            for number, (document, places) in enumerate(locations.values(), start=1):
                name = file_name(code, number, document)
                copied = _copy_into(archive, name, document)
                packed = PackedFile(code, number, document, places, name if copied else "")
                summary.files.append(packed)
                if not copied:
                    summary.missing.append(packed)
        _write_index(archive, summary)
    return summary


def _copy_into(archive: zipfile.ZipFile, name: str, document: EvidenceDocument) -> bool:
    """Copy the stored file into the archive a chunk at a time; False when it is gone."""
    storage = document.file.storage
    try:
        source = storage.open(document.file.name, "rb")
    except (FileNotFoundError, OSError):
        return False
    info = zipfile.ZipInfo(name, date_time=_zip_time(document))
    info.compress_type = (
        zipfile.ZIP_STORED if PurePath(name).suffix.lower() in COMPRESSED else zipfile.ZIP_DEFLATED
    )
    with source, archive.open(info, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, CHUNK)
    return True


def _zip_time(document: EvidenceDocument) -> tuple[int, int, int, int, int, int]:
    moment = document.uploaded_at
    if moment is None or moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _write_index(archive: zipfile.ZipFile, summary: PackageSummary) -> None:
    """index.xlsx: every file of the package, then the sub-criteria without evidence."""
    agencies = Agency.objects.in_bulk({f.document.agency_id for f in summary.files})
    book = Workbook(write_only=True)
    files = book.create_sheet(_("Danh mục tài liệu"))
    _row(
        files,
        [
            _("Mã tiêu chí"),
            _("Stt"),
            _("Số ký hiệu"),
            _("Ngày ban hành"),
            _("Cơ quan ban hành"),
            _("Trích yếu"),
            _("Vị trí trong tài liệu"),
            _("Đơn vị cung cấp"),
            _("Tên tệp trong bộ hồ sơ"),
        ],
        bold=True,
    )
    for packed in summary.files:
        document = packed.document
        _row(
            files,
            [
                packed.code,
                packed.number,
                document.number,
                date_format(document.issued_on, "d/m/Y") if document.issued_on else "",
                document.issuer,
                document.title,
                "; ".join(packed.locations),
                agencies[document.agency_id].name,
                packed.name or _("Không đọc được tệp trong kho lưu trữ"),
            ],
        )
    without = book.create_sheet(_("Không có tài liệu"))
    _row(
        without,
        [
            _("Mã tiêu chí"),
            _("Tiêu chí thành phần"),
            _("Điểm tự đánh giá"),
            _("Giải trình của đơn vị"),
        ],
        bold=True,
    )
    for entry in summary.without_evidence:
        _row(
            without,
            [entry.criterion.code, entry.criterion.title, entry.self_score, entry.explanation],
        )
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        with archive.open(INDEX_NAME, "w") as target:
            shutil.copyfileobj(spool, target, CHUNK)


def _row(sheet, values: list, *, bold: bool = False) -> None:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        if isinstance(value, str):
            write_text(cell, value)
        else:
            cell.value = value
        if bold:
            cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)
