"""Forms of Sở Nội vụ's assignments, of the agencies' reports and their review, and the
check of evidence files."""

import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.formats import get_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from assignments.models import (
    LOCATION_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Agency,
    EvidenceDocument,
    Report,
    Responsibility,
    Task,
    TaskTarget,
    YearlyReport,
)
from assignments.templatetags.targets import target_label
from criteria.models import Criterion, MaxTextLengthValidator, Plan


class BoundedTextField(forms.CharField):
    """Text typed in a box, at most `limit` characters, counted as the browser counts them
    (a line break is one character); the message names the field and the limit."""

    def __init__(self, *, limit: int, rows: int, **kwargs) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows, "maxlength": limit}))
        super().__init__(**kwargs)
        self.validators.append(MaxTextLengthValidator(limit, self.label))

    def to_python(self, value: object) -> str:
        return super().to_python(value).replace("\r\n", "\n")


# A value as a person types it: digits, then a comma or a dot and decimals. No exponent
# ("1e5"), no sign, no thousands separators: "1.000" would be one, not a thousand.
PLAIN_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
NEGATIVE_NUMBER = re.compile(r"^[-−]\s*\d")
VALUE_MAX_CHARACTERS = 20


def parse_target_value(text: str, *, target: str) -> Decimal | None:
    """A value typed against a measurable target, "96,5" or "96.5" in every language; the
    messages name `target`. None when nothing was typed."""
    text = text.strip().replace("\u00a0", "")
    if not text:
        return None
    about = {"target": target}
    if NEGATIVE_NUMBER.match(text):
        raise ValidationError(_("%(target)s: giá trị không được âm."), params=about)
    if len(text) > VALUE_MAX_CHARACTERS or not PLAIN_NUMBER.match(text):
        raise ValidationError(
            _("“%(value)s” không phải là số: hãy viết chữ số, ví dụ 96,5."),
            params={"value": text},
        )
    number = Decimal(text.replace(",", "."))
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("%(target)s: tối đa 2 chữ số thập phân."), params=about)
    return number


def check_target_limit(number: Decimal, *, target: TaskTarget) -> None:
    """Refuse more than the target's unit allows (a percentage at most 100)."""
    if number <= target.value_limit:
        return
    about = {"target": target.description}
    if target.is_percent:
        raise ValidationError(_("%(target)s: tỷ lệ phần trăm không quá 100%%."), params=about)
    raise ValidationError(
        _("%(target)s: không quá %(limit)s %(unit)s."),
        params=about
        | {
            "limit": number_format(target.value_limit, force_grouping=True),
            "unit": target.unit,
        },
    )


class DecimalTextField(forms.CharField):
    """A number typed as a person types it, shown as the language writes it ("96,5"); the
    form reads it with `parse_target_value`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="decimal", maxlength=VALUE_MAX_CHARACTERS)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal):  # shown as the language writes it: "96,5"
            return str(value).replace(".", get_format("DECIMAL_SEPARATOR"))
        return value


class TargetValueField(DecimalTextField):
    """The value achieved against a measurable target: "96,5" or "96.5" in every language,
    within what its unit allows (a percentage at most 100)."""

    def __init__(self, *, target: TaskTarget, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.target = target

    def to_python(self, value: object) -> Decimal | None:
        number = parse_target_value(super().to_python(value), target=self.target.description)
        if number is not None:
            check_target_limit(number, target=self.target)
        return number


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, criterion: Criterion) -> str:
        return f"{criterion.code}. {criterion.title}"


class ResponsibilityForm(forms.ModelForm):
    """Sở Nội vụ's owners of a criterion: saving the form confirms them."""

    class Meta:
        model = Responsibility
        fields = ["leads", "lead_groups", "supporting", "groups"]
        widgets = {
            "leads": forms.CheckboxSelectMultiple,
            "lead_groups": forms.CheckboxSelectMultiple,
            "supporting": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        leads = cleaned.get("leads") or Agency.objects.none()
        supporting = cleaned.get("supporting") or Agency.objects.none()
        if not leads and not cleaned.get("lead_groups"):
            raise ValidationError(_("Chọn ít nhất một đơn vị chủ trì hoặc một nhóm chủ trì."))
        both = [agency for agency in leads if agency in supporting]
        if both:
            self.add_error(
                "supporting",
                _("%(agency)s đã là đơn vị chủ trì, không đồng thời là đơn vị phối hợp.")
                % {"agency": ", ".join(map(str, both))},
            )
        return cleaned


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "text",
            "lead_agencies",
            "coordinating_agencies",
            "coordinating_groups",
            "criteria",
        ]
        field_classes = {"criteria": CriterionChoiceField}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "lead_agencies": forms.CheckboxSelectMultiple,
            "coordinating_agencies": forms.CheckboxSelectMultiple,
            "coordinating_groups": forms.CheckboxSelectMultiple,
            "criteria": forms.SelectMultiple(attrs={"size": 12}),
        }
        help_texts = {"criteria": _("Giữ Ctrl (hoặc Cmd) để chọn nhiều tiêu chí.")}

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the criteria of the plan's framework, in the order of the appendix.
        self.fields["criteria"].queryset = Criterion.objects.filter(
            framework=plan.framework_id
        ).for_tree()

    def clean(self) -> dict:
        cleaned = super().clean()
        both = set(cleaned.get("lead_agencies") or []) & set(
            cleaned.get("coordinating_agencies") or []
        )
        if both:
            self.add_error(
                "coordinating_agencies",
                _("%(agencies)s đã là đơn vị chủ trì, không đồng thời là đơn vị phối hợp.")
                % {"agencies": ", ".join(sorted(agency.name for agency in both))},
            )
        return cleaned


class TaskTargetForm(forms.ModelForm):
    class Meta:
        model = TaskTarget
        fields = [
            "description",
            "comparator",
            "value",
            "value_max",
            "unit",
            "first_year",
            "last_year",
        ]

    # Read as the values reported against the target are, with the same bounds.
    value = DecimalTextField(label=capfirst(TaskTarget._meta.get_field("value").verbose_name))
    value_max = DecimalTextField(
        label=capfirst(TaskTarget._meta.get_field("value_max").verbose_name), required=False
    )

    def __init__(self, *args, plan: Plan | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan  # the admin's inline gives none: it is read from the task in clean()
        # The formset shows each target as a table row: the column titles are the labels.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_values(cleaned)
        comparator = cleaned.get("comparator")
        value, value_max = cleaned.get("value"), cleaned.get("value_max")
        if comparator == TaskTarget.Comparator.BETWEEN:
            if value_max is None:
                self.add_error("value_max", _("Chỉ tiêu “từ … đến” cần có giá trị cận trên."))
            elif value is not None and value > value_max:
                self.add_error("value_max", _("Giá trị cận trên không được nhỏ hơn giá trị."))
        elif comparator and value_max is not None:
            self.add_error(
                "value_max",
                _("Chỉ nhập giá trị cận trên khi so sánh là “từ … đến”."),
            )
        self._check_years(cleaned.get("first_year"), cleaned.get("last_year"))
        return cleaned

    def _clean_values(self, cleaned: dict) -> None:
        """The value and the upper bound, named by the target's description and bounded
        by its unit, as a report's values against it are."""
        description = cleaned.get("description") or self.instance.description
        target = TaskTarget(description=description, unit=cleaned.get("unit") or "")
        for name in ("value", "value_max"):
            if name not in cleaned:
                continue  # already refused (required)
            try:
                number = parse_target_value(cleaned[name], target=description or _("Chỉ tiêu"))
                if number is not None:
                    check_target_limit(number, target=target)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            cleaned[name] = number

    def _check_years(self, first: int | None, last: int | None) -> None:
        plan = self.plan
        if plan is None and self.instance.task_id:
            plan = self.instance.task.content_area.plan
        if first is not None and last is not None and first > last:
            self.add_error("last_year", _("Năm kết thúc không được trước năm bắt đầu."))
        for name, year in (("first_year", first), ("last_year", last)):
            if plan is None or year is None:
                continue
            if not plan.first_year <= year <= plan.last_year:
                self.add_error(
                    name,
                    _("Năm %(year)s nằm ngoài thời kỳ %(first)s–%(last)s của kế hoạch.")
                    % {"year": year, "first": plan.first_year, "last": plan.last_year},
                )


class BaseTaskTargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk and form.instance.values.exists():
                    raise ValidationError(
                        _("Không xóa được chỉ tiêu “%(target)s”: đã có kết quả báo cáo.")
                        % {"target": form.instance.description}
                    )
                continue
            key = (form.cleaned_data.get("description"), form.cleaned_data.get("first_year"))
            if key in seen:
                raise ValidationError(
                    _("Có hai chỉ tiêu “%(target)s” cùng năm bắt đầu %(year)s.")
                    % {"target": key[0], "year": key[1]}
                )
            seen.add(key)


def task_target_formset(*, can_delete: bool) -> type[BaseInlineFormSet]:
    """The targets of one task; only those allowed to delete targets see the delete boxes."""
    return inlineformset_factory(
        Task,
        TaskTarget,
        form=TaskTargetForm,
        formset=BaseTaskTargetFormSet,
        extra=1,
        can_delete=can_delete,
    )


MEGABYTE = 1024 * 1024
# The largest [Content_Types].xml read: real documents have a few kilobytes.
CONTENT_TYPES_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class EvidenceKind:
    """A kind of evidence file the portal accepts, recognised by its content."""

    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first one is the suffix of the stored file

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = EvidenceKind("PDF", "application/pdf", (".pdf",))
PNG = EvidenceKind("PNG", "image/png", (".png",))
JPEG = EvidenceKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
GIF = EvidenceKind("GIF", "image/gif", (".gif",))
DOCX = EvidenceKind(
    "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = EvidenceKind(
    "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)

# Old Word files (.doc) and archives (.zip, .rar) are refused on purpose: a .doc is a binary
# container whose macros cannot be told apart from its text by reading it, and an archive can
# hold anything, unopened and unchecked. Sở Nội vụ must be able to open every piece of
# evidence safely, so the agency saves a .doc again as .docx or PDF and sends the files of an
# archive one by one. The page says so before the upload (the evidence field's help text).
EVIDENCE_KINDS = (PDF, DOCX, XLSX, PNG, JPEG, GIF)
# What the file picker offers first; the content is what decides (check_evidence).
EVIDENCE_ACCEPT = ",".join(ext for kind in EVIDENCE_KINDS for ext in kind.extensions)

REFUSED = _(
    "Tệp “%(name)s” không phải là PDF, Word (.docx), Excel (.xlsx) hay ảnh (PNG, JPEG, GIF)."
)


def evidence_max_bytes() -> int:
    return getattr(settings, "PAR_EVIDENCE_MAX_BYTES", 10 * MEGABYTE)


def evidence_limit_label() -> str:
    """The size limit as people read it in the current language: "10 MB", "7,5 MB"."""
    megabytes = round(evidence_max_bytes() / MEGABYTE, 1)
    decimals = 0 if megabytes == int(megabytes) else 1
    return f"{number_format(megabytes, decimal_pos=decimals)} MB"


def evidence_help_text() -> str:
    return _(
        "PDF, Word (.docx), Excel (.xlsx) hoặc ảnh PNG, JPEG, GIF; mỗi tệp tối đa %(limit)s. "
        "Không nhận tệp .doc và tệp nén (.zip, .rar) vì không kiểm tra được nội dung: "
        "hãy lưu tệp .doc thành .docx hoặc PDF, và tải lên từng tệp thay cho tệp nén."
    ) % {"limit": evidence_limit_label()}


def check_evidence(upload: UploadedFile) -> EvidenceKind:
    """What the file is, read from its first bytes and, for Office files, its zip parts.

    The name only has to agree with the content: a PNG called "báo cáo.pdf" is refused.
    """
    name = upload.name
    limit = evidence_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn hơn giới hạn %(limit)s."),
            params={"name": name, "limit": evidence_limit_label()},
        )
    if not upload.size:
        raise ValidationError(_("Tệp “%(name)s” rỗng."), params={"name": name})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = GIF
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload)
    else:
        raise ValidationError(REFUSED, params={"name": name})
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in kind.extensions:
        raise ValidationError(
            _("Tệp “%(name)s” có nội dung %(kind)s, không khớp với tên tệp."),
            params={"name": name, "kind": kind.label},
        )
    return kind


def _office_kind(upload: UploadedFile) -> EvidenceKind:
    """A .docx or .xlsx: an Office package with Word's or Excel's parts and no macros."""
    name = upload.name
    try:
        with zipfile.ZipFile(upload) as package:
            parts = package.infolist()
            names = [part.filename for part in parts]
            if "[Content_Types].xml" not in names:
                raise ValidationError(REFUSED, params={"name": name})
            content_types = package.getinfo("[Content_Types].xml")
            if content_types.file_size > CONTENT_TYPES_MAX_BYTES:
                raise ValidationError(REFUSED, params={"name": name})
            declared = package.read(content_types).lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError):
        raise ValidationError(REFUSED, params={"name": name}) from None
    finally:
        upload.seek(0)
    has_macros = b"macroenabled" in declared or any(
        PurePosixPath(part).name.lower() == "vbaproject.bin" for part in names
    )
    if has_macros:
        raise ValidationError(
            _("Tệp “%(name)s” có macro: hãy lưu lại thành tệp không có macro rồi tải lên."),
            params={"name": name},
        )
    unpacked_limit = getattr(settings, "XLSX_MAX_UNPACKED_BYTES", 50 * MEGABYTE)
    if sum(part.file_size for part in parts) > unpacked_limit:
        raise ValidationError(_("Tệp “%(name)s” giải nén ra quá lớn."), params={"name": name})
    is_word = any(part.startswith("word/") for part in names)
    is_excel = any(part.startswith("xl/") for part in names)
    if is_word and not is_excel:
        return DOCX
    if is_excel and not is_word:
        return XLSX
    raise ValidationError(REFUSED, params={"name": name})


def _clean_name(upload: UploadedFile) -> UploadedFile:
    # Control characters would only make trouble in headers and logs.
    upload.name = "".join(char for char in upload.name if char.isprintable()).strip()
    return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; an empty list when none is chosen."""

    widget = MultipleFileInput

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(upload, initial) for upload in uploads if upload]


class ReportForm(forms.Form):
    """An agency's report: progress, a value for each measurable target, the narrative."""

    progress = forms.ChoiceField(label=_("Tiến độ"), choices=Report.Progress.choices)
    narrative = BoundedTextField(
        limit=NARRATIVE_MAX_LENGTH,
        rows=8,
        label=_("Kết quả thực hiện"),
        required=False,
        help_text=_("Việc đã làm, kết quả, khó khăn và kiến nghị."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Chosen on the same page and saved with the text: nothing chosen is dropped unsaid.
    evidence = MultipleFileField(
        label=_("Thêm tài liệu minh chứng"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )
    # The "Xóa" button of a listed file, confirmed on the page (see report_detail.html).
    delete_evidence = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A document already in the agency's library, with where inside it the evidence sits.
    library_document = forms.ModelChoiceField(
        label=_("Hoặc chọn từ thư viện của đơn vị"),
        queryset=EvidenceDocument.objects.none(),
        required=False,
        empty_label=_("— Không chọn —"),
    )
    location = forms.CharField(
        label=_("Vị trí trong tài liệu"),
        max_length=LOCATION_MAX_LENGTH,
        required=False,
        help_text=_("Ví dụ: Mục II.3, trang 4–5."),
    )

    def __init__(
        self,
        *args,
        targets: list[TaskTarget],
        documents: models.QuerySet[EvidenceDocument] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["library_document"].queryset = documents
        self.targets = targets
        self.evidence_kinds: list[EvidenceKind] = []
        self.fields["evidence"].help_text = evidence_help_text()
        for target in targets:
            self.fields[self.field_name(target)] = TargetValueField(
                target=target,
                label=target.description,
                help_text=_("Mục tiêu: %(target)s") % {"target": target_label(target)},
            )

    @staticmethod
    def field_name(target: TaskTarget) -> str:
        return f"target_{target.pk}"

    @classmethod
    def initial_for(cls, report: Report, values: dict[int, Decimal]) -> dict:
        initial = {
            "progress": report.progress,
            "narrative": report.narrative,
            "version": report.version,
        }
        # Stored with two decimals; "96,5" reads better than "96,50".
        return initial | {
            f"target_{target_id}": value.normalize() for target_id, value in values.items()
        }

    def target_fields(self) -> list[forms.BoundField]:
        return [self[self.field_name(target)] for target in self.targets]

    def values(self) -> dict[int, Decimal | None]:
        return {target.pk: self.cleaned_data[self.field_name(target)] for target in self.targets}

    def clean_evidence(self) -> list[UploadedFile]:
        uploads = [_clean_name(upload) for upload in self.cleaned_data["evidence"]]
        errors = []
        for upload in uploads:
            try:
                self.evidence_kinds.append(check_evidence(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return uploads

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors and (not_uploaded := self.files_not_uploaded()):
            self.add_error("evidence", not_uploaded)
        return cleaned

    def files_not_uploaded(self) -> str:
        """What to say of the chosen files when the form is not saved: a browser never fills
        a file input again, so they must be chosen again. Empty when none was chosen."""
        chosen = [upload.name for upload in self.files.getlist(self.add_prefix("evidence"))]
        if not chosen:
            return ""
        return _("Chưa tải lên: %(names)s. Hãy chọn lại tệp rồi bấm lưu.") % {
            "names": ", ".join(chosen)
        }

    def evidence_uploads(self) -> list[tuple[UploadedFile, EvidenceKind]]:
        """The checked files, each with the kind read from its content."""
        return list(zip(self.cleaned_data["evidence"], self.evidence_kinds, strict=True))


class YearlyReviewForm(forms.Form):
    """Sở Nội vụ's review of a yearly report as it was read: a comment box per section,
    and a note for accepting it. A review acts on the version read, never on a later one."""

    ACCEPT = "accept"
    RETURN = "return"

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = BoundedTextField(
        limit=REASON_MAX_LENGTH,
        rows=2,
        label=_("Ghi chú khi chấp nhận"),
        required=False,
    )

    def __init__(self, *args, keys: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        for key in keys:
            self.fields[f"comment-{key}"] = BoundedTextField(
                limit=REASON_MAX_LENGTH,
                rows=2,
                label=_("Nhận xét của Sở Nội vụ về phần này"),
                required=False,
            )

    @classmethod
    def for_report(cls, report: YearlyReport, keys: list[str]) -> "YearlyReviewForm":
        return cls(initial={"version": report.version}, keys=keys)

    def comment_field(self, key: str) -> forms.BoundField:
        return self[f"comment-{key}"]

    def comments(self) -> dict[str, str]:
        """The comments typed, by section key; the empty ones left out."""
        typed = {key: self.cleaned_data[f"comment-{key}"].strip() for key in self.keys}
        return {key: text for key, text in typed.items() if text}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        # The browser's date picker sends and shows ISO dates whatever the language.
        super().__init__(format="%Y-%m-%d")


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("Gia hạn đến ngày"), widget=DateInput())
    reason = BoundedTextField(limit=REASON_MAX_LENGTH, rows=2, label=_("Lý do"), required=False)


class CycleForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label=_("Hạn báo cáo"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: ngày 25/11 của năm báo cáo."),
    )


class DocumentForm(forms.ModelForm):
    """What identifies a document of the library: its number and symbol, date, issuer, title."""

    class Meta:
        model = EvidenceDocument
        fields = ["number", "issued_on", "issuer", "title"]
        widgets = {"issued_on": DateInput()}
        help_texts = {
            "number": _("Ví dụ: 252/KH-UBND."),
            "title": _("Trích yếu nội dung của văn bản."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # What a reader of the library finds a document by (documents moved from the reports
        # have none until their agency gives one).
        self.fields["title"].required = True


class DocumentUploadForm(DocumentForm):
    """A new document of the library: its file, checked by its content."""

    file = forms.FileField(
        label=_("Tệp"), widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = evidence_help_text()
        self.kind: EvidenceKind | None = None

    def clean_file(self) -> UploadedFile:
        upload = _clean_name(self.cleaned_data["file"])
        self.kind = check_evidence(upload)
        return upload
