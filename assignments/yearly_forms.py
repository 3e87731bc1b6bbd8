"""Forms of the agency's yearly report page (yearly_views.py): a proposed score with its
evidence, the general difficulties and proposals, and the sending of the whole report."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from assignments.forms import (
    NEGATIVE_NUMBER,
    PLAIN_NUMBER,
    VALUE_MAX_CHARACTERS,
    BoundedTextField,
    DecimalTextField,
)
from assignments.models import (
    EXPLANATION_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    ScoreProposal,
    YearlyReport,
)


class ProposalForm(forms.Form):
    """The proposed self-score of one sub-criterion, with "evidence complete", the
    explanation, and a document of the library to link with where inside it."""

    score = DecimalTextField(label=_("Điểm tự đánh giá đề xuất"), required=False)
    evidence_complete = forms.BooleanField(
        label=_("Tài liệu kiểm chứng đầy đủ"),
        required=False,
        help_text=_("Bỏ chọn khi tài liệu chưa đủ: khi đó cần giải trình."),
    )
    explanation = BoundedTextField(
        limit=EXPLANATION_MAX_LENGTH,
        rows=3,
        label=_("Giải trình"),
        required=False,
        help_text=_("Bắt buộc khi chưa có tài liệu kiểm chứng hoặc tài liệu chưa đầy đủ."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.TypedChoiceField(
        label=_("Gắn tài liệu có trong thư viện"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    location = forms.CharField(
        label=_("Vị trí trong tài liệu"),
        max_length=LOCATION_MAX_LENGTH,
        required=False,
        help_text=_("Ví dụ: Mục II, trang 4."),
    )
    # Where inside the new document uploaded from this section (DocumentUploadForm).
    new_location = forms.CharField(
        label=_("Vị trí trong tài liệu"),
        max_length=LOCATION_MAX_LENGTH,
        required=False,
        help_text=_("Ví dụ: Mục II, trang 4."),
    )

    def __init__(
        self, *args, proposal: ScoreProposal, documents: list[tuple[int, str]], **kwargs
    ) -> None:
        kwargs.setdefault("prefix", f"p{proposal.pk}")
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        # The library is read once for the whole page: a list, not a queryset per form.
        self.fields["document"].choices = [("", _("— Không chọn —")), *documents]

    @classmethod
    def initial_for(cls, proposal: ScoreProposal) -> dict:
        return {
            "score": proposal.score.normalize() if proposal.score is not None else None,
            "evidence_complete": proposal.evidence_complete,
            "explanation": proposal.explanation,
            "version": proposal.version,
        }

    def clean_score(self) -> Decimal | None:
        """ "7,5" or "7.5", from 0 to the sub-criterion's maximum; the message names its code."""
        text = self.cleaned_data["score"].strip().replace("\u00a0", "")
        if not text:
            return None
        criterion = self.proposal.criterion
        about = {"code": criterion.code, "max": number_format(criterion.max_score.normalize())}
        if (
            NEGATIVE_NUMBER.match(text)
            or len(text) > VALUE_MAX_CHARACTERS
            or not PLAIN_NUMBER.match(text)
        ):
            raise ValidationError(
                _("Điểm đề xuất của tiêu chí %(code)s phải là một số từ 0 đến %(max)s, ví dụ 7,5."),
                params=about,
            )
        number = Decimal(text.replace(",", "."))
        if number > criterion.max_score:
            raise ValidationError(
                _("Điểm đề xuất của tiêu chí %(code)s phải từ 0 đến %(max)s."), params=about
            )
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(
                _("Điểm đề xuất của tiêu chí %(code)s: tối đa 2 chữ số thập phân."), params=about
            )
        return number


class GeneralForm(forms.Form):
    """The report's general difficulties and proposals."""

    difficulties = BoundedTextField(
        limit=NARRATIVE_MAX_LENGTH, rows=5, label=_("Khó khăn, vướng mắc"), required=False
    )
    proposals = BoundedTextField(
        limit=NARRATIVE_MAX_LENGTH, rows=5, label=_("Kiến nghị, đề xuất"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    prefix = "general"

    @classmethod
    def for_report(cls, report: YearlyReport) -> "GeneralForm":
        return cls(
            initial={
                "difficulties": report.difficulties,
                "proposals": report.proposals,
                "version": report.version,
            }
        )


class SendForm(forms.Form):
    """The whole report is sent as it was when the page was read."""

    version = forms.IntegerField(widget=forms.HiddenInput)
