"""The agency's library of evidence documents (tài liệu kiểm chứng): plans, reports and
decisions with their number and symbol, each stored once, linked to as many sub-criteria and
tasks as it supports, each link with the place inside the document.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assignments.models.agencies import Agency
from assignments.models.tasks import Task

# A link's place inside a document: "Mục II.3, trang 4–5".
LOCATION_MAX_LENGTH = 200


class EvidenceStorage(LazyObject):
    """The "evidence" alias of STORAGES: one server's disk, or S3-compatible object storage
    shared by several application servers; read when first used (and again after a test
    changes STORAGES), like Django's default_storage."""

    def _setup(self) -> None:
        self._wrapped = storages["evidence"]


evidence_files = EvidenceStorage()


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        evidence_files._wrapped = empty


def evidence_storage() -> Storage:
    """The storage of the evidence files (a callable, so migrations name no backend)."""
    return evidence_files


def document_path(instance: "EvidenceDocument", filename: str) -> str:
    """A generated name: the user's file name never reaches the storage."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/library/{instance.agency_id}/{uuid.uuid4().hex}{suffix}"


class EvidenceDocumentQuerySet(models.QuerySet):
    def of_agency(self, agency: Agency) -> "EvidenceDocumentQuerySet":
        return self.filter(agency=agency)


class EvidenceDocument(models.Model):
    """A document of an agency's library, stored once (by its content's SHA-256) however
    many reports, sub-criteria and tasks it supports."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="documents", verbose_name=_("cơ quan")
    )
    number = models.CharField(_("số ký hiệu"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    file = models.FileField(_("tệp"), upload_to=document_path, storage=evidence_storage)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["file"])
    objects = EvidenceDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = pgettext_lazy("plural", "tài liệu kiểm chứng")
        ordering = ["agency", "-issued_on", "pk"]
        constraints = [
            # The same file uploaded twice by an agency is the same document.
            models.UniqueConstraint(
                fields=["agency", "sha256"],
                condition=~Q(sha256=""),
                name="evidencedocument_unique_content_per_agency",
            )
        ]

    def __str__(self) -> str:
        label = " – ".join(part for part in (self.number, self.title) if part)
        return label or self.original_name


class EvidenceLink(models.Model):
    """A document as evidence for one sub-criterion or one task, with where inside it."""

    document = models.ForeignKey(
        EvidenceDocument,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("tài liệu kiểm chứng"),
    )
    criterion = models.ForeignKey(
        "criteria.Criterion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_links",
        verbose_name=_("tiêu chí thành phần"),
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_links",
        verbose_name=_("nhiệm vụ"),
    )
    # The agency's proposed score this document supports (its yearly report's section).
    proposal = models.ForeignKey(
        "assignments.ScoreProposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_links",
        verbose_name=_("điểm đề xuất"),
    )
    location = models.CharField(
        _("vị trí trong tài liệu"), max_length=LOCATION_MAX_LENGTH, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("liên kết tài liệu kiểm chứng")
        verbose_name_plural = pgettext_lazy("plural", "liên kết tài liệu kiểm chứng")
        ordering = ["document", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(criterion__isnull=False, task__isnull=True)
                | Q(criterion__isnull=True, task__isnull=False),
                name="evidencelink_one_subject",
            ),
            models.UniqueConstraint(
                fields=["proposal", "document"],
                condition=Q(proposal__isnull=False),
                name="evidencelink_once_per_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.criterion or self.task}"
