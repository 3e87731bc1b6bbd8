"""The province's self-assessment of a year, sub-criterion by sub-criterion: what the owners
proposed in their yearly reports (score, evidence documents, explanation), what Sở Nội vụ
decided (assessments.Entry of the province's Assessment) and the score the province
self-assessed (criteria.Score of kind SELF, which every page reads).

One read for every page and document that shows it (the self-assessment page, the .docx
report, the evidence package), in a fixed number of queries. Once the province has decided
a sub-criterion, its explanation, evidence-complete mark and evidence are the decision's;
before, the owners' (their explanations under their names, complete when every owner said
so).

The suggested score of a sub-criterion (assessments.services.adopt_proposals):
- one owner proposed a score: that score;
- several owners did (a group's members each score their own part, e.g. the districts for
  3.4.2): the mean of their proposed scores, rounded half up to 0.01. The province is
  scored once for the sub-criterion, so the mean of the parts is its share; the page shows
  the sum, the count and the mean so that Sở Nội vụ can weigh them.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from assessments.models import Assessment, Entry, EntryEvidence
from assignments.models import (
    EvidenceDocument,
    EvidenceLink,
    ScoreProposal,
    YearlyReport,
)
from criteria.models import Criterion, Plan, Score

# The proposals the province weighs: those the agencies have sent.
SENT = (YearlyReport.Status.SUBMITTED, YearlyReport.Status.ACCEPTED)
CENT = Decimal("0.01")
# The province's self-assessment is the first round of its assessment of the year.
PROVINCE_ROUND = 1


@dataclass(frozen=True)
class Evidence:
    """One document supporting a sub-criterion, with where inside it."""

    document: EvidenceDocument
    location: str


def mean_score(scores: list[Decimal]) -> Decimal | None:
    """The mean of several owners' scores, rounded half up to 0.01; None without scores."""
    if not scores:
        return None
    if len(scores) == 1:
        return scores[0]
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ProvinceEntry:
    """A scored sub-criterion of the province's self-assessment for the year."""

    criterion: Criterion
    self_score: Decimal | None
    proposals: list[ScoreProposal] = field(default_factory=list)
    # The decision's evidence once decided, else the owners' documents.
    evidence: list[Evidence] = field(default_factory=list)
    decision: Entry | None = None
    owners_evidence: list[Evidence] = field(default_factory=list)

    @property
    def is_decided(self) -> bool:
        return self.decision is not None

    @property
    def proposed_scores(self) -> list[Decimal]:
        return [p.score for p in self.proposals if p.score is not None]

    @property
    def proposed_total(self) -> Decimal | None:
        """The owners' proposed scores added up (a group's members each score their part)."""
        scores = self.proposed_scores
        return sum(scores, Decimal(0)) if scores else None

    @property
    def suggested_score(self) -> Decimal | None:
        """What adopting the proposals decides: the one owner's score, or the mean of
        several owners' scores (module docstring)."""
        return mean_score(self.proposed_scores)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence)

    @property
    def owners_evidence_complete(self) -> bool:
        """Every owner marked its evidence complete and there is at least one document."""
        return bool(self.owners_evidence) and all(p.evidence_complete for p in self.proposals)

    @property
    def evidence_complete(self) -> bool:
        """The province's mark once decided; before, the owners' (owners_evidence_complete)."""
        if self.decision is not None:
            return self.decision.evidence_complete
        return self.owners_evidence_complete

    @property
    def owners_explanation(self) -> str:
        """The owners' explanations, each under its agency's name."""
        return "\n".join(
            f"{p.report.agency.short_name or p.report.agency.name}: {p.explanation.strip()}"
            for p in self.proposals
            if p.explanation.strip()
        )

    @property
    def explanation(self) -> str:
        """The province's explanation once decided; before, the owners' explanations."""
        if self.decision is not None:
            return self.decision.explanation
        return self.owners_explanation


def province_entries(plan: Plan, year: int) -> list[ProvinceEntry]:
    """Every scored sub-criterion of the plan's framework in the tree's order, with the
    owners' sent proposals, the province's decision and its self-assessed score (6 queries:
    the leaves, the scores, the proposals, their documents, the decisions, their documents)."""
    criteria = list(Criterion.objects.filter(framework=plan.framework_id).leaves().for_tree())
    scores = dict(
        Score.objects.filter(
            criterion__framework=plan.framework_id, year=year, kind=Score.Kind.SELF
        ).values_list("criterion_id", "value")
    )
    proposals = (
        ScoreProposal.objects.filter(
            report__cycle__plan=plan, report__cycle__year=year, report__status__in=SENT
        )
        .select_related("report__agency")
        .prefetch_related(
            Prefetch(
                "evidence_links",
                queryset=EvidenceLink.objects.select_related("document").order_by("pk"),
            )
        )
        .order_by("report__agency__name")
    )
    decisions = (
        Entry.objects.filter(
            assessment__plan=plan, assessment__year=year, assessment__round=PROVINCE_ROUND
        )
        .select_related("decided_by")
        .prefetch_related(
            Prefetch(
                "evidence", queryset=EntryEvidence.objects.select_related("document").order_by("pk")
            )
        )
    )
    entries = {c.pk: ProvinceEntry(criterion=c, self_score=scores.get(c.pk)) for c in criteria}
    for proposal in proposals:
        entry = entries.get(proposal.criterion_id)
        if entry is None:
            continue
        entry.proposals.append(proposal)
        seen = {(e.document.pk, e.location) for e in entry.owners_evidence}
        for link in proposal.evidence_links.all():
            if (link.document_id, link.location) not in seen:
                entry.owners_evidence.append(Evidence(link.document, link.location))
                seen.add((link.document_id, link.location))
    for entry in entries.values():
        entry.evidence = list(entry.owners_evidence)
    for decision in decisions:
        entry = entries.get(decision.criterion_id)
        if entry is None:
            continue
        entry.decision = decision
        entry.evidence = [Evidence(e.document, e.location) for e in decision.evidence.all()]
    return list(entries.values())


def province_assessment_of(plan: Plan, year: int) -> Assessment | None:
    """The province's assessment of the year, if anything of it was decided (one query)."""
    return (
        Assessment.objects.filter(plan=plan, year=year, round=PROVINCE_ROUND)
        .select_related("approved_by")
        .first()
    )


@dataclass
class SheetRow:
    """A row of the self-assessment page: a sub-criterion with its entry, or an area or
    criterion above them with the sums of its sub-criteria."""

    criterion: Criterion
    entry: ProvinceEntry | None = None
    decided_total: Decimal | None = None  # the self-assessed scores below, added up
    suggested_total: Decimal | None = None  # the suggested scores below, added up

    @property
    def is_leaf(self) -> bool:
        return self.entry is not None


@dataclass
class ProvinceSheet:
    """The province's self-assessment of a year as the page shows it: the tree in order,
    each parent with the sums of its sub-criteria (self-assessed and suggested), the whole
    index's sums and what is left to decide."""

    plan: Plan
    year: int
    assessment: Assessment | None
    rows: list[SheetRow]
    decided_total: Decimal | None
    suggested_total: Decimal | None
    leaf_count: int
    decided_count: int
    adoptable_count: int

    @classmethod
    def build(cls, plan: Plan, year: int) -> "ProvinceSheet":
        """Eight queries: the assessment, the tree and province_entries' six."""
        assessment = province_assessment_of(plan, year)
        tree = list(Criterion.objects.filter(framework=plan.framework_id).for_tree())
        entries = {e.criterion.pk: e for e in province_entries(plan, year)}
        rows = [SheetRow(criterion, entry=entries.get(criterion.pk)) for criterion in tree]
        by_id = {row.criterion.pk: row for row in rows}
        decided_total = suggested_total = None
        # One pass from the last row up: each row adds its sums into its parent.
        for row in reversed(rows):
            if row.entry is not None:
                row.decided_total = row.entry.self_score
                row.suggested_total = row.entry.suggested_score
            parent = by_id.get(row.criterion.parent_id)
            if parent is None:
                decided_total = _add(decided_total, row.decided_total)
                suggested_total = _add(suggested_total, row.suggested_total)
            else:
                parent.decided_total = _add(parent.decided_total, row.decided_total)
                parent.suggested_total = _add(parent.suggested_total, row.suggested_total)
        leaves = list(entries.values())
        return cls(
            plan=plan,
            year=year,
            assessment=assessment,
            rows=rows,
            decided_total=decided_total,
            suggested_total=suggested_total,
            leaf_count=len(leaves),
            decided_count=sum(1 for e in leaves if e.is_decided),
            adoptable_count=sum(1 for e in leaves if is_adoptable(e)),
        )

    @property
    def is_approved(self) -> bool:
        return self.assessment is not None and self.assessment.is_approved


def is_adoptable(entry: ProvinceEntry) -> bool:
    """Whether adopting the proposals decides this sub-criterion: not decided, no
    self-assessed score typed elsewhere (the grid), a suggested score, not a survey one."""
    return (
        not entry.is_decided
        and entry.self_score is None
        and entry.suggested_score is not None
        and not entry.criterion.is_survey
    )


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return total
    return value if total is None else total + value
