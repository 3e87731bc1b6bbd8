"""assessments.province.province_entries: the owners' sent proposals per sub-criterion."""

from decimal import Decimal

import pytest

from assessments.province import province_entries
from assignments import yearly
from criteria.models import Score
from tests.assignments.test_yearly_report import _fill

pytestmark = pytest.mark.django_db


def test_entries_hold_the_sent_proposals_their_documents_and_explanations(
    tu_phap_report, agency_user, plan_document, django_assert_num_queries
):
    plan = tu_phap_report.cycle.plan
    _fill(tu_phap_report, agency_user, plan_document)
    # A draft is not the province's to weigh yet.
    assert all(not e.proposals for e in province_entries(plan, 2019))
    yearly.send_yearly_report(report=tu_phap_report, by=agency_user, version=tu_phap_report.version)
    Score.objects.create(
        criterion=plan.framework.criteria.get(code="2.1.1"),
        year=2019,
        kind=Score.Kind.SELF,
        value=Decimal("0.75"),
    )

    # the leaves, the scores, the proposals, their documents, the decisions (none yet: no
    # query for their documents)
    with django_assert_num_queries(5):
        entries = {e.criterion.code: e for e in province_entries(plan, 2019)}

    assert len(entries) == plan.framework.criteria.leaves().count()
    first, second, third = entries["2.1.1"], entries["2.1.2"], entries["2.2"]
    assert first.self_score == Decimal("0.75")
    assert first.proposed_total == first.criterion.max_score
    assert [(e.document, e.location) for e in first.evidence] == [(plan_document, "trang 3")]
    assert [(e.document, e.location) for e in second.evidence] == [(plan_document, "trang 4")]
    assert first.evidence_complete and not third.has_evidence
    assert third.explanation == "Sở TP: Chưa có văn bản, đang trình ký."
    assert not entries["3.1.1"].proposals and entries["3.1.1"].proposed_total is None
