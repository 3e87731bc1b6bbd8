"""Admin for the criteria tree and plans, with the appendix import (preview, then confirm)."""

import os
import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

import tablib
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export import resources
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Error, Result, RowResult
from import_export.tmp_storages import BaseStorage
from simple_history.admin import SimpleHistoryAdmin

from accounts.security import log_event
from criteria.importers import AppendixError, open_checked_workbook, parse_number, read_appendix
from criteria.layout import AppendixTable
from criteria.locks import score_lock_reason
from criteria.models import (
    Action,
    Criterion,
    CriterionLink,
    Framework,
    IndexResult,
    NationalGroup,
    NationalResult,
    NationalTable,
    Plan,
    Province,
    RankGoal,
    Score,
    Target,
    UnitBand,
)
from criteria.national import (
    NationalSheet,
    ProvinceNames,
    import_national_table,
    read_national_table,
)
from criteria.official import OfficialSheet, import_official_results, read_official_results
from criteria.services import (
    EMPTY,
    Change,
    import_appendix,
    row_cells,
    show,
    unconfirmed_max_changes,
)
from criteria.templatetags.scores import score as format_score
from criteria.unit_frameworks import (
    UnitSheet,
    import_unit_framework,
    read_unit_framework,
)
from criteria.unit_frameworks import row_cells as unit_row_cells

# The uploads this session has previewed and may confirm, newest last.
PENDING_UPLOADS = "appendix_uploads"
UPLOAD_GONE = gettext_lazy(
    "Tệp đã xem trước không còn để nhập (đã được nhập, đã quá hạn hoặc không hợp lệ). "
    "Hãy chọn tệp và xem trước lại."
)
# Changed cells listed above the confirm button; the preview's table shows them all.
CHANGES_LISTED = 20
# import-export's own page title, translated by locale_vendor (a variable: not extracted).
IMPORT_TITLE = "Import"


class AppendixUpload(BaseStorage):
    """An uploaded appendix kept between its preview and its confirmation, in a folder of
    its own (APPENDIX_UPLOAD_DIR) under a random name; never a path the form names."""

    NAME = re.compile(r"^[0-9a-f]{32}$")

    @staticmethod
    def folder() -> Path:
        return Path(settings.APPENDIX_UPLOAD_DIR)

    @classmethod
    def exists(cls, name: str) -> bool:
        return bool(cls.NAME.match(name)) and (cls.folder() / name).is_file()

    @classmethod
    def remove_stale(cls) -> None:
        """Remove the previews no session can confirm any more (older than a session)."""
        if not cls.folder().is_dir():
            return
        oldest = time.time() - settings.PAR_SESSION_ABSOLUTE_SECONDS
        for path in cls.folder().iterdir():
            if cls.NAME.match(path.name) and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)

    def _path(self) -> Path:
        if not self.NAME.match(self.name or ""):
            raise FileNotFoundError(self.name)
        return self.folder() / self.name

    def save(self, data: bytes) -> None:
        self.folder().mkdir(mode=0o700, parents=True, exist_ok=True)
        self.name = uuid.uuid4().hex
        descriptor = os.open(self._path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)

    def read(self) -> bytes:
        return self._path().read_bytes()

    def remove(self) -> None:
        if self.NAME.match(self.name or ""):
            self._path().unlink(missing_ok=True)


class CheckedXLSX(XLSX):
    """import-export's xlsx format behind the appendix's checks: the file's size, parts,
    macros and DTDs, then at most IMPORT_MAX_ROWS rows on its sheet, before tablib reads
    the whole sheet into memory."""

    def create_dataset(self, in_stream: bytes, **kwargs) -> tablib.Dataset:
        limit = settings.IMPORT_MAX_ROWS
        book = open_checked_workbook(in_stream)
        try:
            sheet = book.active
            sheet.reset_dimensions()  # count the rows there are, not those the sheet states
            for count, _row in enumerate(sheet.iter_rows(max_col=1, values_only=True), 1):
                if count > limit:
                    raise AppendixError(
                        [
                            _("Trang tính “%(sheet)s” có hơn %(max)s dòng; không nhận.")
                            % {
                                "sheet": sheet.title,
                                "max": number_format(limit, force_grouping=True),
                            }
                        ]
                    )
        finally:
            book.close()
        return super().create_dataset(in_stream, **kwargs)


class CheckedReadErrorsMixin:
    """An import-export admin that shows the spreadsheet checks' own Vietnamese reasons
    (AppendixError) instead of import-export's "… encountered while trying to read file"."""

    def add_data_read_fail_error_to_form(self, form: forms.Form, error: Exception) -> None:
        if isinstance(error, AppendixError):
            for problem in error.problems:
                form.add_error("import_file", problem)
        else:
            super().add_data_read_fail_error_to_form(form, error)


class PreviewedUploadsMixin(CheckedReadErrorsMixin):
    """An import-export admin whose uploads live as the appendix's do: a refused file is
    removed at once, a previewed one is kept under a random name for this session only and
    removed once confirmed, and a confirmation naming any other file (or a format that does
    not exist) is a message on the import page, not a 500 and not a read of another file."""

    tmp_storage_class = AppendixUpload

    def _pending_key(self) -> str:
        return f"uploads:{self.model._meta.label_lower}"

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        AppendixUpload.remove_stale()
        response = None
        try:
            response = super().import_action(request, **kwargs)
            return response
        finally:
            name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
            context = getattr(response, "context_data", None) or {}
            if name and context.get("confirm_form"):
                pending = request.session.get(self._pending_key(), [])
                request.session[self._pending_key()] = [*pending[-4:], name]
            elif name:
                AppendixUpload(name=name).remove()

    @method_decorator(require_POST)
    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        pending = request.session.get(self._pending_key(), [])
        name = form.data.get("import_file_name", "")
        formats = [str(index) for index in range(len(self.get_import_formats()))]
        if name not in pending or form.data.get("format") not in formats or not form.is_valid():
            messages.error(request, UPLOAD_GONE)
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        try:
            return super().process_import(request, **kwargs)
        finally:
            AppendixUpload(name=name).remove()
            request.session[self._pending_key()] = [n for n in pending if n != name]


class AppendixXLSX(XLSX):
    """An .xlsx in the appendix's official layout, read by our own pre-parser."""

    def get_title(self) -> str:
        return _("xlsx (mẫu phụ lục kế hoạch)")

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        table = read_appendix(in_stream)
        dataset = tablib.Dataset(headers=[_("Dòng"), _("Mã")])
        for row in table.rows:
            dataset.append([row.excel_row, row.code or _("TỔNG ĐIỂM")])
        dataset.appendix_table = table
        return dataset


class AppendixResource(resources.ModelResource):
    """Hands the whole table to `import_appendix` and shows its report as import-export rows."""

    class Meta:
        model = Criterion
        fields = ("code",)
        import_id_fields = ("code",)

    def __init__(self, plan: Plan | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    def import_data(self, dataset: tablib.Dataset, dry_run: bool = False, **kwargs) -> Result:
        result = self.get_result_class()()
        table: AppendixTable = dataset.appendix_table
        try:
            report = import_appendix(
                table=table,
                plan=self.plan,
                dry_run=dry_run,
                # Only a confirmation that ticked the box may change maximum scores.
                accept_max_changes=kwargs.get("accept_max_changes", False),
            )
            if not dry_run:
                log_event(
                    "import",
                    request=None,
                    username=kwargs.get("user", "-"),
                    plan=self.plan,
                    summary=report.summary(),
                )
        except AppendixError as error:
            for problem in error.problems:
                # import-export's Error holds an exception (it formats its traceback).
                result.append_base_error(Error(AppendixError([problem])))
            return result
        # By cell and by row: two thousand rows of changes must not be searched per cell.
        changes = {(c.code, c.column): c for c in report.changes}
        changed_codes = {c.code for c in report.changes}
        sample = table.rows[0]
        result.diff_headers = [_("Mã"), *row_cells(sample, table)]
        for row in table.rows:
            row_result = RowResult()
            if row.code in report.created:
                row_result.import_type = RowResult.IMPORT_TYPE_NEW
            elif row.code in changed_codes:
                row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
            else:
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            is_new = row_result.import_type == RowResult.IMPORT_TYPE_NEW
            row_result.diff = [row.code or _("TỔNG ĐIỂM")] + [
                _diff_cell(None if is_new else changes.get((row.code, column)), value)
                for column, value in row_cells(row, table).items()
            ]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        # Changed maximums are listed apart, with the box that confirms them.
        maximums = report.changed_maximums
        updated = [c for c in report.changes if c.code not in report.created and c not in maximums]
        result.appendix_summary = report.summary()
        result.appendix_changes = updated[:CHANGES_LISTED]
        result.appendix_more_changes = len(updated[CHANGES_LISTED:])
        result.changed_maximums = maximums
        result.appendix_warnings = report.warnings
        return result


def _diff_cell(change: Change | None, value: object) -> str:
    if change is None:
        return show(value) if show(value) != EMPTY else ""
    return format_html("<del>{}</del> <ins>{}</ins>", change.old, change.new)


class AppendixImportForm(ImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), label=gettext_lazy("Kế hoạch"))


class AppendixConfirmForm(ConfirmImportForm):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Chưa chọn kế hoạch. Hãy chọn tệp và xem trước lại."),
            "invalid_choice": gettext_lazy(
                "Kế hoạch đã chọn không còn. Hãy chọn tệp và xem trước lại."
            ),
        },
    )

    accept_max_changes = forms.BooleanField(
        required=False,
        label=gettext_lazy("Tôi xác nhận thay đổi điểm chuẩn của các tiêu chí nêu trên"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""  # the box's label is a sentence
        self.fields["import_file_name"].error_messages["required"] = UPLOAD_GONE
        self.fields["original_file_name"].required = False

    def clean_import_file_name(self) -> str:
        name = self.cleaned_data["import_file_name"]
        if not AppendixUpload.exists(name):
            raise ValidationError(UPLOAD_GONE)
        return name

    def clean_format(self) -> str:
        if self.cleaned_data["format"] != "0":
            raise ValidationError(
                _("Định dạng tệp “%(format)s” không có: chỉ nhận tệp .xlsx theo mẫu phụ lục.")
                % {"format": self.cleaned_data["format"]}
            )
        return self.cleaned_data["format"]


@admin.register(Criterion)
class CriterionAdmin(CheckedReadErrorsMixin, ImportMixin, SimpleHistoryAdmin):
    list_display = ["code", "title", "max_score", "kind", "is_survey", "framework"]
    list_filter = ["framework", "level", "kind", "is_survey"]
    search_fields = ["code", "title"]
    ordering = ["framework", "sort_key"]
    list_select_related = ["framework"]
    raw_id_fields = ["parent"]
    resource_classes = [AppendixResource]
    import_formats = [AppendixXLSX]
    import_form_class = AppendixImportForm
    confirm_form_class = AppendixConfirmForm
    import_template_name = "admin/criteria/criterion/import.html"
    skip_admin_log = True  # django-simple-history records every change instead
    tmp_storage_class = AppendixUpload

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """The preview; the upload is kept only when the preview may be confirmed."""
        AppendixUpload.remove_stale()
        response = None
        try:
            response = super().import_action(request, **kwargs)
            return response
        finally:
            # import-export names the kept copy on the uploaded file itself.
            name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
            context = getattr(response, "context_data", None) or {}
            if name and context.get("confirm_form"):
                pending = request.session.get(PENDING_UPLOADS, [])
                request.session[PENDING_UPLOADS] = [*pending[-4:], name]
            elif name:
                AppendixUpload(name=name).remove()

    @method_decorator(require_POST)
    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """The confirmation: only of an upload this session previewed, which is then gone
        whatever happens; a form that names another file or format is refused."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        pending = request.session.get(PENDING_UPLOADS, [])
        name = form.data.get("import_file_name", "") if form.is_bound else ""
        is_ours = name in pending
        keep = False
        try:
            if form.is_valid() and is_ours:
                if not form.cleaned_data["accept_max_changes"]:
                    preview = self._dry_run(request, form)
                    if getattr(preview, "changed_maximums", None):
                        # The box was not ticked: the same preview again, still confirmable.
                        keep = True
                        form.add_error(
                            "accept_max_changes", unconfirmed_max_changes(preview.changed_maximums)
                        )
                        return self._preview_again(request, form, preview)
                return super().process_import(request, **kwargs)
            problems = list(dict.fromkeys(e for errors in form.errors.values() for e in errors))
            if not is_ours and str(UPLOAD_GONE) not in problems:
                problems.insert(0, str(UPLOAD_GONE))
            return self._confirmation_refused(request, problems)
        finally:
            if is_ours and not keep:
                AppendixUpload(name=name).remove()
                request.session[PENDING_UPLOADS] = [n for n in pending if n != name]

    def get_import_data_kwargs(self, **kwargs) -> dict:
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        if isinstance(form, AppendixConfirmForm):
            kwargs["accept_max_changes"] = form.cleaned_data["accept_max_changes"]
        return kwargs

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        """After the confirmation: a refusal (the file no longer fits the plan) is shown,
        never reported as a success."""
        if result.has_errors():
            return self._confirmation_refused(
                request, [str(error.error) for error in result.base_errors]
            )
        return super().process_result(result, request)

    def _dry_run(self, request: HttpRequest, form: AppendixConfirmForm) -> Result:
        """The preview of a confirmed upload, as it would be imported now."""
        data = AppendixUpload(name=form.cleaned_data["import_file_name"]).read()
        dataset = AppendixXLSX().create_dataset(data)
        resource = AppendixResource(plan=form.cleaned_data["plan"])
        return resource.import_data(dataset, dry_run=True, user=request.user)

    def _preview_again(
        self, request: HttpRequest, form: AppendixConfirmForm, result: Result
    ) -> HttpResponse:
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": translation.gettext(IMPORT_TITLE),
            "confirm_form": form,
            "result": result,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _confirmation_refused(self, request: HttpRequest, problems: list[str]) -> HttpResponse:
        """The import form again, empty, with what was wrong with the confirmation."""
        form = self.get_import_form_class(request)(
            self.get_import_formats(),
            self.get_import_resource_classes(request),
            initial=self.get_import_form_initial(request),
        )
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": translation.gettext(IMPORT_TITLE),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "confirm_problems": problems,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def get_import_resource_kwargs(self, request, **kwargs) -> dict:
        form = kwargs.get("form")
        plan = form.cleaned_data.get("plan") if form is not None and form.is_bound else None
        return {"plan": plan}

    def get_confirm_form_initial(self, request, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["plan"] = import_form.cleaned_data["plan"].pk
        return initial

    def add_success_message(self, result: Result, request) -> None:
        totals = result.totals
        messages.success(
            request,
            _(
                "Đã nhập phụ lục: %(new)s tiêu chí mới, %(update)s dòng thay đổi, "
                "%(skip)s dòng không đổi."
            )
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )


class UnitFrameworkXLSX(XLSX):
    """An .xlsx of the province's framework for one type of unit, laid out like the appendix."""

    def get_title(self) -> str:
        return _("xlsx (bộ chỉ số đánh giá đơn vị)")

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        sheet = read_unit_framework(in_stream)
        dataset = tablib.Dataset(headers=[_("Dòng"), _("Mã")])
        for row in sheet.rows:
            dataset.append([row.excel_row, row.code])
        dataset.unit_sheet = sheet
        return dataset


class UnitFrameworkResource(resources.ModelResource):
    """Hands the whole tree to `import_unit_framework` and shows its report as rows."""

    class Meta:
        model = Framework
        fields = ("code",)

    def __init__(self, framework: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.framework = framework or {}

    def import_data(self, dataset: tablib.Dataset, dry_run: bool = False, **kwargs) -> Result:
        result = self.get_result_class()()
        sheet: UnitSheet = dataset.unit_sheet
        try:
            report = import_unit_framework(sheet=sheet, dry_run=dry_run, **self.framework)
        except AppendixError as error:
            for problem in error.problems:
                result.append_base_error(Error(AppendixError([problem])))
            return result
        if not dry_run:
            log_event(
                "import",
                request=None,
                username=kwargs.get("user", "-"),
                framework=report.code,
                summary=report.summary(),
            )
        changes = {(c.code, c.column): c for c in report.changes}
        changed_codes = {c.code for c in report.changes}
        result.diff_headers = [_("Dòng"), _("Mã"), *unit_row_cells(sheet.rows[0])]
        related = sheet.titles.get("related")
        if related:
            result.diff_headers.append(related)
        for row in sheet.rows:
            row_result = RowResult()
            if row.code in report.created:
                row_result.import_type = RowResult.IMPORT_TYPE_NEW
            elif row.code in changed_codes:
                row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
            else:
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            row_result.diff = [row.excel_row, row.code] + [
                _diff_cell(changes.get((row.code, column)), value)
                for column, value in unit_row_cells(row).items()
            ]
            if related:
                row_result.diff.append(
                    _diff_cell(changes.get((row.code, related)), "; ".join(row.related))
                )
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        result.unit_summary = report.summary()
        result.appendix_warnings = report.warnings + [
            str(change) for change in report.changes if not change.code
        ]
        return result


class UnitFrameworkImportForm(ImportForm):
    code = forms.CharField(label=gettext_lazy("Số hiệu bộ chỉ số"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Tên bộ chỉ số"), max_length=300)
    unit_type = forms.ChoiceField(
        label=gettext_lazy("Loại đơn vị được đánh giá"), choices=Framework.UnitType.choices
    )
    first_year = forms.IntegerField(
        label=gettext_lazy("Áp dụng từ năm"), min_value=2000, max_value=2100
    )
    last_year = forms.IntegerField(
        label=gettext_lazy("Áp dụng đến năm"), min_value=2000, max_value=2100, required=False
    )


class UnitFrameworkConfirmForm(ConfirmImportForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=60)
    name = forms.CharField(widget=forms.HiddenInput, max_length=300)
    unit_type = forms.ChoiceField(widget=forms.HiddenInput, choices=Framework.UnitType.choices)
    first_year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)
    last_year = forms.IntegerField(
        widget=forms.HiddenInput, min_value=2000, max_value=2100, required=False
    )


UNIT_FRAMEWORK_FIELDS = ("code", "name", "unit_type", "first_year", "last_year")


@admin.register(Framework)
class FrameworkAdmin(PreviewedUploadsMixin, ImportMixin, admin.ModelAdmin):
    """Frameworks keep no history of their own (see README): the admin's log is their history.
    A unit framework is imported from its .xlsx here (Nhập): preview, then confirm."""

    list_display = ["code", "name", "unit_type", "first_year", "last_year", "max_score"]
    list_filter = ["unit_type"]
    resource_classes = [UnitFrameworkResource]
    import_formats = [UnitFrameworkXLSX]
    import_form_class = UnitFrameworkImportForm
    confirm_form_class = UnitFrameworkConfirmForm
    import_template_name = "admin/criteria/framework/import.html"
    skip_admin_log = True

    def get_import_resource_kwargs(self, request, **kwargs) -> dict:
        form = kwargs.get("form")
        if form is None or not form.is_bound or not form.is_valid():
            return {}
        return {"framework": {key: form.cleaned_data.get(key) for key in UNIT_FRAMEWORK_FIELDS}}

    def get_confirm_form_initial(self, request, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            cleaned = import_form.cleaned_data
            initial |= {
                key: cleaned[key] for key in UNIT_FRAMEWORK_FIELDS if cleaned.get(key) is not None
            }
        return initial

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        """A confirmation refused by a change made since the preview (another framework
        for the same years, say) is shown as such, never reported as a success."""
        if result.has_errors():
            for error in result.base_errors:
                messages.error(request, str(error.error))
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        return super().process_result(result, request)

    def add_success_message(self, result: Result, request) -> None:
        messages.success(request, _("Đã nhập. %(summary)s") % {"summary": result.unit_summary})


@admin.register(UnitBand)
class UnitBandAdmin(SimpleHistoryAdmin):
    list_display = ["year", "unit_type", "name", "min_score"]
    list_filter = ["year", "unit_type"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["number", "province", "issued_on", "first_year", "last_year", "framework"]
    list_select_related = ["framework"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "criterion", "first_year", "last_year", "min_score", "max_score"]
    list_filter = ["plan", "first_year"]
    list_select_related = ["plan", "criterion"]
    raw_id_fields = ["criterion"]


SCORE_MAX_CHARACTERS = 20


class ScoreValueField(forms.CharField):
    """A score typed as in the grid: "0,5" or "0.5" in every language, read by the
    appendix's parser (no exponent, NaN or thousands separators), shown with the language's
    decimal mark."""

    def __init__(self, **kwargs) -> None:
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="decimal", maxlength=SCORE_MAX_CHARACTERS)

    def prepare_value(self, value: object) -> object:
        return format_score(value) if isinstance(value, Decimal) else value

    def to_python(self, value: object) -> Decimal | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            if len(text) > SCORE_MAX_CHARACTERS:
                raise ValueError(_("“%(value)s” không phải là số.") % {"value": text[:20] + "…"})
            return parse_number(text)
        except ValueError as error:
            # Shown under the field: "Điểm không được âm (“-1”).", "“1e5” không phải là số …"
            raise ValidationError(capfirst(str(error))) from None


class ScoreAdminForm(forms.ModelForm):
    """The version the page showed goes back with the form: a score written meanwhile (in
    the grid, say) is refused with a message instead of being overwritten."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    value = ScoreValueField(label=gettext_lazy("Điểm"))

    class Meta:
        model = Score
        fields = ["criterion", "year", "kind", "value", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict:
        cleaned = super().clean()
        criterion, value = cleaned.get("criterion"), cleaned.get("value")
        if criterion is not None and value is not None and value > criterion.max_score:
            self.add_error(
                "value",
                _("Điểm %(value)s vượt quá điểm chuẩn %(max)s của tiêu chí %(code)s.")
                % {
                    "value": format_score(value),
                    "max": format_score(criterion.max_score),
                    "code": criterion.code,
                },
            )
        self._check_unlocked(criterion, cleaned.get("year"), cleaned.get("kind"))
        is_stale = cleaned.get("seen_version") != self.instance.version
        if self.instance.pk is not None and is_stale:
            raise ValidationError(
                _(
                    "Điểm này vừa được người khác cập nhật (có thể ở trang Nhập điểm). "
                    "Hãy mở lại trang để xem giá trị mới rồi sửa lại."
                ),
                code="stale",
            )
        return cleaned

    def _check_unlocked(self, criterion: Criterion | None, year: int | None, kind: str) -> None:
        """Refuse a change to a year's scores that a room above locked (criteria.locks), in
        the year and kind the score had as well as in those it is given."""
        if criterion is None or year is None or not kind:
            return
        places = {(year, kind)}
        if self.instance.pk is not None:
            places.add((self.instance.year, self.instance.kind))
        for place_year, place_kind in sorted(places):
            reason = score_lock_reason(
                framework_id=criterion.framework_id, year=place_year, kind=place_kind
            )
            if reason:
                raise ValidationError(reason, code="locked")


class OfficialXLSX(XLSX):
    """An .xlsx of a year's official results in the appendix's layout."""

    def get_title(self) -> str:
        return _("xlsx (kết quả chính thức theo mẫu phụ lục)")

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        sheet = read_official_results(in_stream)
        dataset = tablib.Dataset(headers=[_("Dòng"), _("Mã")])
        for row in sheet.rows:
            dataset.append([row.excel_row, row.code])
        dataset.official_sheet = sheet
        return dataset


class OfficialResource(resources.ModelResource):
    """Hands the sheet to `import_official_results` and shows its report as rows."""

    class Meta:
        model = Score
        fields = ("criterion",)

    def __init__(self, plan: Plan | None = None, year: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.year = year

    def import_data(self, dataset: tablib.Dataset, dry_run: bool = False, **kwargs) -> Result:
        result = self.get_result_class()()
        sheet: OfficialSheet = dataset.official_sheet
        try:
            report = import_official_results(
                sheet=sheet, plan=self.plan, year=self.year, by=kwargs.get("user"), dry_run=dry_run
            )
        except AppendixError as error:
            for problem in error.problems:
                result.append_base_error(Error(AppendixError([problem])))
            return result
        if not dry_run:
            log_event(
                "import",
                request=None,
                username=kwargs.get("user", "-"),
                plan=self.plan,
                summary=report.summary(),
            )
        result.diff_headers = [_("Dòng"), _("Mã"), sheet.value_title, _("Lý do trừ điểm")]
        kinds = {code: RowResult.IMPORT_TYPE_NEW for code in report.created} | {
            code: RowResult.IMPORT_TYPE_UPDATE for code in report.updated
        }
        for row in sheet.rows:
            row_result = RowResult()
            row_result.import_type = kinds.get(row.code, RowResult.IMPORT_TYPE_SKIP)
            old_value, old_reason = report.before.get(row.code, (None, ""))
            reason = row.reason if sheet.has_reason else old_reason
            row_result.diff = [
                row.excel_row,
                row.code,
                _changed(show(old_value) if old_value is not None else "", show(row.value)),
                _changed(old_reason, reason),
            ]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        result.appendix_summary = report.summary()
        result.appendix_warnings = report.warnings
        return result


def _changed(old: str, new: str) -> str:
    if old == new:
        return new
    if not old:
        return format_html("<ins>{}</ins>", new)
    return format_html("<del>{}</del> <ins>{}</ins>", old, new)


class OfficialImportForm(ImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), label=gettext_lazy("Kế hoạch"))
    year = forms.IntegerField(label=gettext_lazy("Năm đánh giá"), min_value=2012, max_value=2100)


class OfficialConfirmForm(ConfirmImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(Score)
class ScoreAdmin(PreviewedUploadsMixin, ImportMixin, SimpleHistoryAdmin):
    """The scores, and the import of a year's official results (preview, then confirm)."""

    form = ScoreAdminForm
    list_display = ["criterion", "year", "kind", "value", "entered_by", "entered_at"]
    list_filter = ["year", "kind"]
    list_select_related = ["criterion", "entered_by"]
    raw_id_fields = ["criterion"]
    readonly_fields = ["entered_by", "entered_at"]

    resource_classes = [OfficialResource]
    import_formats = [OfficialXLSX]
    import_form_class = OfficialImportForm
    confirm_form_class = OfficialConfirmForm
    import_template_name = "admin/criteria/score/import.html"
    skip_admin_log = True  # django-simple-history records every change instead

    def get_import_resource_kwargs(self, request, **kwargs) -> dict:
        form = kwargs.get("form")
        if form is None or not form.is_bound or not form.is_valid():
            return {}
        return {"plan": form.cleaned_data["plan"], "year": form.cleaned_data["year"]}

    def get_confirm_form_initial(self, request, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["plan"] = import_form.cleaned_data["plan"].pk
            initial["year"] = import_form.cleaned_data["year"]
        return initial

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        """A confirmation the database no longer allows is reported, never as a success."""
        if result.has_errors():
            for error in result.base_errors:
                messages.error(request, str(error.error))
            return redirect("admin:criteria_score_import")
        return super().process_result(result, request)

    def add_success_message(self, result: Result, request) -> None:
        messages.success(request, result.appendix_summary)

    def save_model(self, request, obj: Score, form, change: bool) -> None:
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "criterion", "text"]
    list_select_related = ["plan", "criterion"]
    raw_id_fields = ["criterion"]


@admin.register(IndexResult)
class IndexResultAdmin(SimpleHistoryAdmin):
    list_display = ["province", "year", "total", "rank", "province_count"]


class NationalXLSX(XLSX):
    """An .xlsx of a national table as the ministry's report lays it out."""

    def get_title(self) -> str:
        return _("xlsx (bảng xếp hạng toàn quốc)")

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        sheet = read_national_table(in_stream, names=ProvinceNames.load())
        dataset = tablib.Dataset(headers=[_("Dòng"), _("Tỉnh, thành phố")])
        for row in sheet.rows:
            dataset.append([row.excel_row, str(row.province)])
        dataset.national_sheet = sheet
        return dataset


class NationalResource(resources.ModelResource):
    """Hands the whole table to `import_national_table` and shows its report as rows."""

    class Meta:
        model = NationalResult
        fields = ("province",)

    def __init__(self, year: int | None = None, source: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.year = year
        self.source = source

    def import_data(self, dataset: tablib.Dataset, dry_run: bool = False, **kwargs) -> Result:
        result = self.get_result_class()()
        sheet: NationalSheet = dataset.national_sheet
        report = import_national_table(
            sheet=sheet, year=self.year, source=self.source, dry_run=dry_run
        )
        if not dry_run:
            log_event(
                "import",
                request=None,
                username=kwargs.get("user", "-"),
                table=self.year,
                summary=report.summary(),
            )
        changed = {line.partition(" (")[0]: line for line in report.changed}
        result.diff_headers = [
            _("Dòng"),
            _("Tỉnh, thành phố"),
            _("Chỉ số"),
            _("Xếp hạng"),
            _("Nhóm"),
            _("Thay đổi"),
        ]
        for row in sheet.rows:
            name = str(row.province)
            row_result = RowResult()
            if name in report.created:
                row_result.import_type = RowResult.IMPORT_TYPE_NEW
            elif name in changed:
                row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
            else:
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            row_result.diff = [
                row.excel_row,
                name,
                show(row.index),
                row.rank or "",
                row.group,
                changed.get(name, "").partition(" (")[2].removesuffix(")"),
            ]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        result.appendix_warnings = report.warnings
        return result


class NationalImportForm(ImportForm):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2012, max_value=2100)
    source = forms.CharField(label=gettext_lazy("Nguồn công bố"), max_length=500, required=False)


class NationalConfirmForm(ConfirmImportForm):
    year = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.CharField(widget=forms.HiddenInput, required=False)


@admin.register(NationalResult)
class NationalResultAdmin(PreviewedUploadsMixin, ImportMixin, SimpleHistoryAdmin):
    list_display = ["table", "rank", "province", "total", "index_percent", "group", "sipas_percent"]
    list_filter = ["table", "group", "province__region"]
    search_fields = ["province__name"]
    list_select_related = ["table", "province"]
    resource_classes = [NationalResource]
    import_formats = [NationalXLSX]
    import_form_class = NationalImportForm
    confirm_form_class = NationalConfirmForm
    import_template_name = "admin/criteria/nationalresult/import.html"
    skip_admin_log = True

    def get_import_resource_kwargs(self, request, **kwargs) -> dict:
        form = kwargs.get("form")
        if form is None or not form.is_bound or not form.is_valid():
            return {}
        return {"year": form.cleaned_data["year"], "source": form.cleaned_data.get("source", "")}

    def get_confirm_form_initial(self, request, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["year"] = import_form.cleaned_data["year"]
            initial["source"] = import_form.cleaned_data.get("source", "")
        return initial

    def add_success_message(self, result: Result, request) -> None:
        totals = result.totals
        messages.success(
            request,
            _("Đã nhập bảng xếp hạng: %(new)s tỉnh mới, %(update)s thay đổi, %(skip)s không đổi.")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )


@admin.register(NationalTable)
class NationalTableAdmin(SimpleHistoryAdmin):
    list_display = ["year", "citation", "is_illustrative", "province_count"]


@admin.register(NationalGroup)
class NationalGroupAdmin(SimpleHistoryAdmin):
    list_display = ["table", "code", "min_index"]
    list_select_related = ["table"]


@admin.register(Province)
class ProvinceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "region", "is_city"]
    list_filter = ["region"]
    search_fields = ["name", "aliases"]


@admin.register(CriterionLink)
class CriterionLinkAdmin(SimpleHistoryAdmin):
    """The mapping from the units' criteria to the national index's sub-criteria; usually
    read from the unit framework's .xlsx (column “Tiêu chí thành phần Bộ chỉ số tỉnh liên
    quan”), corrected here."""

    list_display = ["unit_criterion", "unit_framework", "national_criterion"]
    list_filter = ["unit_criterion__framework", "national_criterion__framework"]
    search_fields = [
        "unit_criterion__code",
        "unit_criterion__title",
        "national_criterion__code",
        "national_criterion__title",
    ]
    autocomplete_fields = ["unit_criterion", "national_criterion"]
    list_select_related = [
        "unit_criterion__framework",
        "national_criterion__framework",
    ]

    @admin.display(description=gettext_lazy("bộ chỉ số đơn vị"))
    def unit_framework(self, link: CriterionLink) -> Framework:
        return link.unit_criterion.framework


@admin.register(RankGoal)
class RankGoalAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "kind", "first_year", "last_year", "groups", "worst_rank"]
    list_select_related = ["plan"]
