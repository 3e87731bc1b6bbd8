"""Where the ministry's appraisal took points off the province's self-assessment, and who
owns them: every sub-criterion scored lower officially than self-assessed, the points lost,
the reason the ministry gave (the official score's note, entered in the grid or imported
with the official results) and its owners, with the totals per area and per owner.

A sub-criterion led by several owners (agencies or groups) is listed under each of them
with all its lost points; the owners' share column splits those points equally between
them (to the cent, the remainder to the first in alphabetical order), so that the shares,
with those of sub-criteria nobody owns, add up to the total lost. Sub-criteria the ministry
scored higher than the province are counted apart ("gained"): lost − gained is the
self-assessed total less the official total, over the sub-criteria with both scores.

`losses(plan, year)` is the one read, for the page, its .xlsx and the plan-results .docx.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from assignments.models import Agency, AgencyGroup, Responsibility
from criteria.exporters import write_text
from criteria.models import Criterion, Plan, Score

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Owner:
    """An agency or a group that leads sub-criteria; `key` tells the two kinds apart."""

    key: tuple[str, int]
    name: str


NO_OWNER_KEY = ("none", 0)


@dataclass
class LossRow:
    """A sub-criterion the ministry scored below the province's self-assessment."""

    criterion: Criterion
    area: Criterion | None
    self_score: Decimal
    official_score: Decimal
    reason: str
    owners: list[Owner]

    @property
    def lost(self) -> Decimal:
        return self.self_score - self.official_score

    def shares(self) -> list[tuple[Owner | None, Decimal]]:
        """The lost points split equally between the owners, to the cent; None: no owner."""
        if not self.owners:
            return [(None, self.lost)]
        share = (self.lost / len(self.owners)).quantize(CENT, rounding=ROUND_DOWN)
        first = self.lost - share * (len(self.owners) - 1)
        return [(owner, first if i == 0 else share) for i, owner in enumerate(self.owners)]


@dataclass
class AreaLoss:
    """An area's sums over its sub-criteria with both scores."""

    area: Criterion
    self_total: Decimal = ZERO
    official_total: Decimal = ZERO
    lost: Decimal = ZERO
    gained: Decimal = ZERO
    count: int = 0  # sub-criteria that lost points
    compared: int = 0  # sub-criteria with both scores
    # The area's own official score where the official results state one (a fact, shown
    # beside the sum of its sub-criteria when the two differ).
    stated_official: Decimal | None = None

    @property
    def difference(self) -> Decimal:
        """Self-assessed less official: the lost points less those gained."""
        return self.self_total - self.official_total

    @property
    def differing_stated(self) -> Decimal | None:
        if self.stated_official is None or self.stated_official == self.official_total:
            return None
        return self.stated_official


@dataclass
class OwnerLoss:
    """An owner's lost points: all those of the sub-criteria it leads, and its share."""

    owner: Owner | None  # None: the sub-criteria nobody leads
    rows: list[LossRow] = field(default_factory=list)
    lost: Decimal = ZERO
    share: Decimal = ZERO

    @property
    def name(self) -> str:
        return self.owner.name if self.owner else _("Chưa phân công đơn vị chủ trì")


@dataclass
class Appraisal:
    """The year's lost points, per sub-criterion, per area and per owner."""

    plan: Plan
    year: int
    rows: list[LossRow]
    areas: list[AreaLoss]
    owners: list[OwnerLoss]
    self_total: Decimal  # over the sub-criteria with both scores
    official_total: Decimal
    lost: Decimal
    gained: Decimal
    compared: int  # sub-criteria with both scores
    without_official: int  # self-assessed sub-criteria still without an official score

    @property
    def difference(self) -> Decimal:
        return self.self_total - self.official_total

    @property
    def without_reason(self) -> int:
        return sum(1 for row in self.rows if not row.reason.strip())


def losses(plan: Plan, year: int) -> Appraisal:
    """The appraisal of `year` under `plan` (5 queries: criteria, scores, responsibilities
    with their lead agencies and lead groups)."""
    criteria = list(Criterion.objects.filter(framework=plan.framework_id).for_tree())
    parents = {c.parent_id for c in criteria if c.parent_id}
    areas = {c.code: c for c in criteria if c.parent_id is None}
    scores: dict[int, dict[str, tuple[Decimal, str]]] = defaultdict(dict)
    for criterion_id, kind, value, note in Score.objects.filter(
        criterion__framework=plan.framework_id, year=year
    ).values_list("criterion_id", "kind", "value", "note"):
        scores[criterion_id][kind] = (value, note)
    owners = _owners(plan)

    area_losses = {
        code: AreaLoss(
            area=area,
            stated_official=scores[area.pk].get(Score.Kind.OFFICIAL, (None, ""))[0],
        )
        for code, area in areas.items()
    }
    rows: list[LossRow] = []
    compared = without_official = 0
    for criterion in criteria:
        if criterion.pk in parents:
            continue  # an area without criteria is scored itself, as a leaf
        own = scores[criterion.pk].get(Score.Kind.SELF)
        official = scores[criterion.pk].get(Score.Kind.OFFICIAL)
        if own is None:
            continue
        if official is None:
            without_official += 1
            continue
        compared += 1
        area = area_losses.get(criterion.area_code)
        difference = own[0] - official[0]
        if area is not None:
            area.self_total += own[0]
            area.official_total += official[0]
            area.lost += max(difference, ZERO)
            area.gained += max(-difference, ZERO)
            area.count += difference > 0
            area.compared += 1
        if difference > 0:
            rows.append(
                LossRow(
                    criterion=criterion,
                    area=area.area if area else None,
                    self_score=own[0],
                    official_score=official[0],
                    reason=official[1],
                    owners=owners.get(criterion.pk, []),
                )
            )
    return Appraisal(
        plan=plan,
        year=year,
        rows=rows,
        areas=[a for a in area_losses.values() if a.compared],
        owners=_owner_losses(rows),
        self_total=sum((a.self_total for a in area_losses.values()), ZERO),
        official_total=sum((a.official_total for a in area_losses.values()), ZERO),
        lost=sum((row.lost for row in rows), ZERO),
        gained=sum((a.gained for a in area_losses.values()), ZERO),
        compared=compared,
        without_official=without_official,
    )


def _owners(plan: Plan) -> dict[int, list[Owner]]:
    """Each criterion's leads, agencies and groups, in alphabetical order."""
    found: dict[int, list[Owner]] = {}
    for responsibility in Responsibility.objects.filter(plan=plan).prefetch_related(
        "leads", "lead_groups"
    ):
        leads = [_owner(lead) for lead in responsibility.owners()]
        found[responsibility.criterion_id] = sorted(leads, key=lambda o: o.name)
    return found


def _owner(lead: Agency | AgencyGroup) -> Owner:
    kind = "agency" if isinstance(lead, Agency) else "group"
    return Owner(key=(kind, lead.pk), name=lead.name)


def _owner_losses(rows: list[LossRow]) -> list[OwnerLoss]:
    by_owner: dict[tuple[str, int], OwnerLoss] = {}
    for row in rows:
        for owner, share in row.shares():
            key = owner.key if owner else NO_OWNER_KEY
            entry = by_owner.setdefault(key, OwnerLoss(owner=owner))
            entry.rows.append(row)
            entry.lost += row.lost
            entry.share += share
    return sorted(
        by_owner.values(),
        key=lambda o: (o.owner is None, -o.share, o.owner.name if o.owner else ""),
    )


# -- The .xlsx ---------------------------------------------------------------------------

BOLD = Font(bold=True)


def appraisal_filename(year: int) -> str:
    return f"diem-bi-tru-tham-dinh-{year}.xlsx"


def appraisal_workbook(appraisal: Appraisal) -> bytes:
    """The page as a workbook: the sub-criteria, the areas and the owners, one sheet each."""
    book = Workbook(write_only=True)
    _sheet(
        book,
        _("Điểm bị trừ"),
        [
            _("Mã"),
            _("Tiêu chí thành phần"),
            _("Lĩnh vực"),
            _("Tự đánh giá"),
            _("Chính thức"),
            _("Điểm bị trừ"),
            _("Lý do Bộ Nội vụ nêu"),
            _("Đơn vị chủ trì"),
        ],
        [
            [
                row.criterion.code,
                row.criterion.title,
                row.area.code if row.area else "",
                row.self_score,
                row.official_score,
                row.lost,
                row.reason,
                "; ".join(owner.name for owner in row.owners),
            ]
            for row in appraisal.rows
        ],
        [_("Tổng cộng"), "", "", None, None, appraisal.lost, "", ""],
    )
    _sheet(
        book,
        _("Theo lĩnh vực"),
        [
            _("Lĩnh vực"),
            _("Tên lĩnh vực"),
            _("Tự đánh giá"),
            _("Chính thức"),
            _("Chênh lệch"),
            _("Điểm bị trừ"),
            _("Điểm được cộng"),
        ],
        [
            [
                area.area.code,
                area.area.title,
                area.self_total,
                area.official_total,
                area.difference,
                area.lost,
                area.gained,
            ]
            for area in appraisal.areas
        ],
        [
            _("Tổng cộng"),
            "",
            appraisal.self_total,
            appraisal.official_total,
            appraisal.difference,
            appraisal.lost,
            appraisal.gained,
        ],
    )
    _sheet(
        book,
        _("Theo đơn vị"),
        [
            _("Đơn vị chủ trì"),
            _("Số tiêu chí bị trừ điểm"),
            _("Các tiêu chí"),
            _("Điểm bị trừ ở các tiêu chí chủ trì"),
            _("Phần chia đều"),
        ],
        [
            [
                owner.name,
                len(owner.rows),
                ", ".join(row.criterion.code for row in owner.rows),
                owner.lost,
                owner.share,
            ]
            for owner in appraisal.owners
        ],
        [_("Tổng cộng"), len(appraisal.rows), "", None, appraisal.lost],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], total: list) -> None:
    sheet = book.create_sheet(title[:31])
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet)
        write_text(cell, text)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for values in [*rows, total]:
        line = []
        for value in values:
            cell = WriteOnlyCell(sheet)
            if isinstance(value, str):
                write_text(cell, value)
            else:
                cell.value = value
            line.append(cell)
        sheet.append(line)
