from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentTransition, Entry
from criteria.importers import parse_number

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
