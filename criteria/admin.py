"""Admin for the criteria tree and plans, with the appendix import (preview, then confirm)."""

import tablib
from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Error, Result, RowResult
from simple_history.admin import SimpleHistoryAdmin

from assignments.security import log_event
from criteria.importers import AppendixError, read_appendix
from criteria.layout import AppendixTable
from criteria.models import Action, Criterion, Framework, IndexResult, Plan, Score, Target
from criteria.services import EMPTY, import_appendix, row_cells, show


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
            report = import_appendix(table=table, plan=self.plan, dry_run=dry_run)
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
                result.append_base_error(Error(problem))
            return result
        changed = {(c.code, c.column) for c in report.changes}
        sample = table.rows[0]
        result.diff_headers = [_("Mã"), *row_cells(sample, table)]
        for row in table.rows:
            row_result = RowResult()
            if row.code in report.created:
                row_result.import_type = RowResult.IMPORT_TYPE_NEW
            elif any(code == row.code for code, _column in changed):
                row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
            else:
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            row_result.diff = [row.code or _("TỔNG ĐIỂM")] + [
                _diff_cell(report, row.code, column, value)
                for column, value in row_cells(row, table).items()
            ]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        result.appendix_warnings = report.warnings
        return result


def _diff_cell(report, code: str, column: str, value: object) -> str:
    change = next((c for c in report.changes if c.code == code and c.column == column), None)
    if change is None or code in report.created:
        return show(value) if show(value) != EMPTY else ""
    return format_html("<del>{}</del> <ins>{}</ins>", change.old, change.new)


class AppendixImportForm(ImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), label=gettext_lazy("Kế hoạch"))


class AppendixConfirmForm(ConfirmImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), widget=forms.HiddenInput)


@admin.register(Criterion)
class CriterionAdmin(ImportMixin, SimpleHistoryAdmin):
    list_display = ["code", "title", "max_score", "is_survey", "framework"]
    list_filter = ["framework", "level", "is_survey"]
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

    def get_import_resource_kwargs(self, request, **kwargs) -> dict:
        form = kwargs.get("form")
        plan = form.cleaned_data.get("plan") if form is not None and form.is_bound else None
        return {"plan": plan}

    def get_confirm_form_initial(self, request, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["plan"] = import_form.cleaned_data["plan"].pk
        return initial

    def add_data_read_fail_error_to_form(self, form, error: Exception) -> None:
        if isinstance(error, AppendixError):
            for problem in error.problems:
                form.add_error("import_file", problem)
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def add_success_message(self, result: Result, request) -> None:
        from django.contrib import messages

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


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    """Frameworks keep no history of their own (see README): the admin's log is their history."""

    list_display = ["code", "name", "first_year", "last_year", "max_score"]


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


@admin.register(Score)
class ScoreAdmin(SimpleHistoryAdmin):
    list_display = ["criterion", "year", "kind", "value", "entered_by", "entered_at"]
    list_filter = ["year", "kind"]
    list_select_related = ["criterion", "entered_by"]
    raw_id_fields = ["criterion"]
    readonly_fields = ["entered_by", "entered_at"]

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
