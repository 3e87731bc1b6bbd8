from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from assignments.models import Agency, Responsibility, Task, TaskTarget
from criteria.models import Criterion, Plan


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, criterion: Criterion) -> str:
        return f"{criterion.code}. {criterion.title}"


class ResponsibilityForm(forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["lead", "supporting", "groups"]
        widgets = {
            "supporting": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].empty_label = _("— Không có đơn vị chủ trì —")

    def clean(self) -> dict:
        cleaned = super().clean()
        lead = cleaned.get("lead")
        supporting = cleaned.get("supporting") or Agency.objects.none()
        if lead is None and not cleaned.get("groups"):
            raise ValidationError(_("Chọn đơn vị chủ trì hoặc ít nhất một nhóm đơn vị thực hiện."))
        if lead is not None and lead in supporting:
            self.add_error(
                "supporting",
                _("%(agency)s đã là đơn vị chủ trì, không đồng thời là đơn vị phối hợp.")
                % {"agency": lead},
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
        localized_fields = ["value", "value_max"]

    def __init__(self, *args, plan: Plan | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan  # the admin's inline gives none: it is read from the task in clean()
        # The formset shows each target as a table row: the column titles are the labels.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)
        for name in ("value", "value_max"):
            self.fields[name].validators.append(
                MinValueValidator(0, message=_("Giá trị không được âm."))
            )

    def clean(self) -> dict:
        cleaned = super().clean()
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
