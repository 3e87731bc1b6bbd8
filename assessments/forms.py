from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentTransition, Entry, EntryEvidence
from assignments.models import LOCATION_MAX_LENGTH, EvidenceDocument
from criteria.importers import parse_number
from criteria.models import Criterion

SCORE_MAX_CHARACTERS = 20


class DecideForm(forms.Form):
    """The province's decision on one sub-criterion. The score is read by the appendix's
    parser, the same in every language ("0,75" or "0.75"); the service checks the maximum."""

    score = forms.CharField(
        label=_("Điểm tỉnh tự đánh giá"), required=False, max_length=SCORE_MAX_CHARACTERS
    )
    explanation = forms.CharField(
        label=_("Giải trình"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=Entry._meta.get_field("explanation").validators,
    )
    evidence_complete = forms.BooleanField(label=_("Tài liệu kiểm chứng đầy đủ"), required=False)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_score(self) -> Decimal | None:
        text = self.cleaned_data["score"].strip()
        if not text:
            return None
        try:
            return parse_number(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở khóa"),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=AssessmentTransition._meta.get_field("note").validators,
    )


def _score(text: str, *, deduction: bool = False) -> Decimal | None:
    """A typed score ("7,5" or "7.5"); a penalty's points may be typed as "-2"."""
    text = text.strip()
    if deduction:
        text = text.lstrip("-−").strip()
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class UnitEntryForm(forms.Form):
    """A unit's draft of one criterion: score, explanation, evidence complete, one more
    document of its library with where inside it, documents to take off."""

    score = forms.CharField(
        label=_("Điểm tự đánh giá"), required=False, max_length=SCORE_MAX_CHARACTERS
    )
    explanation = DecideForm.base_fields["explanation"]
    evidence_complete = forms.BooleanField(label=_("Tài liệu kiểm chứng đầy đủ"), required=False)
    document = forms.ModelChoiceField(
        label=_("Thêm tài liệu từ thư viện"),
        queryset=EvidenceDocument.objects.none(),
        required=False,
    )
    location = forms.CharField(
        label=_("Vị trí trong tài liệu"), required=False, max_length=LOCATION_MAX_LENGTH
    )
    remove = forms.ModelMultipleChoiceField(
        label=_("Bỏ tài liệu"), queryset=EntryEvidence.objects.none(), required=False
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.fields["document"].queryset = EvidenceDocument.objects.of_agency(
            entry.assessment.agency_id
        )
        self.fields["remove"].queryset = entry.evidence.all()

    def clean_score(self) -> Decimal | None:
        return _score(
            self.cleaned_data["score"],
            deduction=self.entry.criterion.kind == Criterion.Kind.PENALTY,
        )


class AppraiseForm(forms.Form):
    """An appraisal: no score accepts the proposed one."""

    score = forms.CharField(
        label=_("Điểm thẩm định"), required=False, max_length=SCORE_MAX_CHARACTERS
    )
    reason = forms.CharField(
        label=_("Lý do điều chỉnh điểm"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=Entry._meta.get_field("appraisal_reason").validators,
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_score(self) -> Decimal | None:
        return _score(self.cleaned_data["score"], deduction=True)


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("Giải trình sau thẩm định"),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=Entry._meta.get_field("response").validators,
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class FinalForm(forms.Form):
    score = forms.CharField(label=_("Điểm cuối cùng"), max_length=SCORE_MAX_CHARACTERS)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_score(self) -> Decimal | None:
        return _score(self.cleaned_data["score"], deduction=True)


class PublishForm(forms.Form):
    is_public = forms.BooleanField(label=_("Hiện trên trang công khai"), required=False)
