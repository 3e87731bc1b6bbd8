"""The province's self-assessment of a year, sub-criterion by sub-criterion: what the owners
proposed in their yearly reports (score, evidence documents, explanation) and the score the
province self-assessed (criteria.Score of kind SELF).

One read for every page and document that shows it (the self-assessment page, the .docx
report, the evidence package), in a fixed number of queries.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from assignments.models import (
    EvidenceDocument,
    EvidenceLink,
    ScoreProposal,
    YearlyReport,
)
from criteria.models import Criterion, Plan, Score

# The proposals the province weighs: those the agencies have sent.
SENT = (YearlyReport.Status.SUBMITTED, YearlyReport.Status.ACCEPTED)


@dataclass(frozen=True)
class Evidence:
    """One document supporting a sub-criterion, with where inside it."""

    document: EvidenceDocument
    location: str


@dataclass
class ProvinceEntry:
    """A scored sub-criterion of the province's self-assessment for the year."""

    criterion: Criterion
    self_score: Decimal | None
    proposals: list[ScoreProposal] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def proposed_total(self) -> Decimal | None:
        """The owners' proposed scores added up (a group's members each score their part)."""
        scores = [p.score for p in self.proposals if p.score is not None]
        return sum(scores, Decimal(0)) if scores else None

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence)

    @property
    def evidence_complete(self) -> bool:
        """Every owner marked its evidence complete and there is at least one document."""
        return self.has_evidence and all(p.evidence_complete for p in self.proposals)

    @property
    def explanation(self) -> str:
        """The owners' explanations, each under its agency's name."""
        return "\n".join(
            f"{p.report.agency.short_name or p.report.agency.name}: {p.explanation.strip()}"
            for p in self.proposals
            if p.explanation.strip()
        )


def province_entries(plan: Plan, year: int) -> list[ProvinceEntry]:
    """Every scored sub-criterion of the plan's framework in the tree's order, with the
    owners' sent proposals and the province's self-assessed score (4 queries)."""
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
    entries = {c.pk: ProvinceEntry(criterion=c, self_score=scores.get(c.pk)) for c in criteria}
    for proposal in proposals:
        entry = entries.get(proposal.criterion_id)
        if entry is None:
            continue
        entry.proposals.append(proposal)
        seen = {(e.document.pk, e.location) for e in entry.evidence}
        for link in proposal.evidence_links.all():
            if (link.document_id, link.location) not in seen:
                entry.evidence.append(Evidence(link.document, link.location))
                seen.add((link.document_id, link.location))
    return list(entries.values())
