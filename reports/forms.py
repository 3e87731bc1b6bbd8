from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from criteria.importers import parse_number
from criteria.models import NOTE_MAX_LENGTH, Criterion, MaxTextLengthValidator, Score
from criteria.templatetags.scores import score as format_score
from reports.rollups import Status
from reports.services import ScoreEntry


class ScoreRowForm(forms.Form):
    """One leaf of the score grid: the province's self-assessment and the official score.

    Numbers are read by the importer's parser, the same in every language ("7,5" or "7.5").
    """

    self_value = forms.CharField(label=_("Tỉnh tự đánh giá"), required=False, max_length=20)
    self_version = forms.IntegerField(min_value=0)
    official_value = forms.CharField(label=_("Bộ Nội vụ thẩm định"), required=False, max_length=20)
    official_version = forms.IntegerField(min_value=0)
    note = forms.CharField(
        label=_("Lý do bị trừ điểm"),
        required=False,
        validators=[MaxTextLengthValidator(NOTE_MAX_LENGTH, _("Lý do bị trừ điểm"))],
    )

    def __init__(self, *args, criterion: Criterion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criterion = criterion

    def _clean_score(self, name: str) -> Decimal | None:
        text = self.cleaned_data[name].strip()
        if not text:
            return None
        try:
            value = parse_number(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if value > self.criterion.max_score:
            raise ValidationError(
                _("Điểm %(value)s vượt quá điểm chuẩn %(max)s của tiêu chí %(code)s."),
                params={
                    "value": format_score(value),
                    "max": format_score(self.criterion.max_score),
                    "code": self.criterion.code,
                },
            )
        return value

    def clean_self_value(self) -> Decimal | None:
        value = self._clean_score("self_value")
        if value is not None and self.criterion.is_survey:
            raise ValidationError(
                _("Tiêu chí chấm qua điều tra xã hội học: tỉnh không tự đánh giá.")
            )
        return value

    def clean_official_value(self) -> Decimal | None:
        return self._clean_score("official_value")

    def clean_note(self) -> str:
        return self.cleaned_data["note"].strip()

    def clean(self) -> dict:
        data = super().clean()
        own, official, note = (
            data.get("self_value"),
            data.get("official_value"),
            data.get("note"),
        )
        if note and official is None and "official_value" not in self.errors:
            self.add_error("note", _("Lý do đi kèm điểm thẩm định: hãy nhập điểm thẩm định."))
        # A reason too long is refused as such, not as a missing one.
        has_reason = bool(note) or "note" in self.errors
        if own is not None and official is not None and official < own and not has_reason:
            self.add_error(
                "note",
                _(
                    "Điểm thẩm định thấp hơn điểm tự đánh giá %(lost)s điểm: "
                    "hãy ghi lý do bị trừ điểm."
                )
                % {"lost": format_score(own - official)},
            )
        return data

    def entries(self) -> dict[str, ScoreEntry]:
        """The row's scores by kind; a survey row has no self-assessment to touch."""
        data = self.cleaned_data
        entries = {
            Score.Kind.OFFICIAL: ScoreEntry(
                data["official_value"], data["official_version"], note=data["note"]
            )
        }
        if not self.criterion.is_survey:
            entries[Score.Kind.SELF] = ScoreEntry(data["self_value"], data["self_version"])
        return entries


class GapFilterForm(forms.Form):
    """The gap table's filters and sort order, read from the query string."""

    SORTS = {
        "code": _("Stt"),
        "max": _("Điểm chuẩn"),
        "baseline": _("Điểm năm gốc"),
        "target": _("Mục tiêu"),
        "actual": _("Điểm đạt được"),
        "lost": _("Điểm bị mất"),
        "shortfall": _("Còn thiếu để đạt mục tiêu"),
    }

    area = forms.TypedChoiceField(label=_("Lĩnh vực"), required=False, coerce=int, empty_value=None)
    survey = forms.ChoiceField(
        label=_("Điều tra XHH"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("yes", _("Chỉ tiêu chí chấm qua điều tra XHH")),
            ("no", _("Không gồm tiêu chí chấm qua điều tra XHH")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Status.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            choice for key, label in SORTS.items() for choice in ((key, label), (f"-{key}", label))
        ],
    )

    def __init__(self, *args, areas: list[Criterion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Tất cả lĩnh vực"))] + [
            (area.pk, f"{area.code}. {area.title}") for area in areas
        ]

    def value_of(self, name: str) -> object:
        """A filter's cleaned value, or its default when the query string gave a bad one."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None
