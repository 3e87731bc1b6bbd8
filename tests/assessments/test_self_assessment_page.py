"""The province's self-assessment page (/assessments/<year>/): Sở Nội vụ decides, leaders
read and approve or unlock, agencies have no access."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Entry
from assignments.models import Agency
from criteria.models import Score
from tests.assessments.conftest import _logged_in, propose, sent_report

D = Decimal
HTMX = {"HX-Request": "true"}
pytestmark = pytest.mark.django_db

PAGE = reverse("assessments:assessment-detail", args=[2019])


def decide_url(province, code: str) -> str:
    return reverse("assessments:entry-decide", args=[2019, province.tree[code].pk])


def self_score(province, code: str) -> Decimal | None:
    score = Score.objects.filter(
        criterion=province.tree[code], year=2019, kind=Score.Kind.SELF
    ).first()
    return score.value if score else None


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_staff_see_every_row_with_the_owners_proposals_and_a_form(province, staff_client):
    response = staff_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    for code in ["1", "1.1", "1.2", "1.2.1", "1.2.2", "2", "2.1", "2.2"]:
        assert f'id="row-{province.tree[code].pk}"' in html
    download = reverse("assignments:document-download", args=[province.document.pk])
    assert f'<a href="{download}">10/KH-UBND</a> (01/03/2019), trang 3' in html
    assert "Chưa có văn bản, đang trình ký." in html
    # Two districts for 2.1: the mean, with the sum and the count.
    row = html.split(f'id="row-{province.tree["2.1"].pk}"')[1].split("</tr>")[0]
    assert "1,75" in row and "tổng 3,5 / 2 đơn vị" in row
    assert "H. Cái Bè</strong>: 2" in row and "H. Chợ Gạo</strong>: 1,5" in row
    assert html.count('class="decide-form"') == 4  # every leaf but the survey one
    assert "Lấy điểm đề xuất cho 3 tiêu chí chưa quyết định" in html
    # The draft report's proposal is not shown.
    assert "SYT" not in html


def test_the_page_reads_a_fixed_number_of_queries(
    province, noivu_staff, staff_client, django_assert_num_queries
):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)
    # session, user, role groups, plan with framework, assessment, the tree, then
    # province_entries: leaves, scores, proposals with agencies, their documents,
    # decisions, their documents
    with django_assert_num_queries(12):
        staff_client.get(PAGE)

    cycle = province.plan.cycles.get(year=2019)
    for number in range(3):
        agency = Agency.objects.create(
            name=f"UBND huyện {number}", short_name=f"H{number}", kind=Agency.Kind.DISTRICT
        )
        report = sent_report(cycle, agency)
        propose(report, province.tree["2.1"], "1", links=[(province.document, f"trang {number}")])
        propose(report, province.tree["1.2.2"], "0.5")

    with django_assert_num_queries(12):
        response = staff_client.get(PAGE)
    assert "tổng 6,5 / 5 đơn vị" in response.content.decode()


def test_leader_reads_without_forms_and_may_approve(province, noivu_staff, leader_client):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)

    response = leader_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="decide-form"' not in html
    assert "Lấy điểm đề xuất" not in html
    assert "Phê duyệt bản tự đánh giá" in html
    assert '<td class="num sum">3,5</td>' in html  # 0,75 + 1 + 1,75


def test_other_agency_gets_403_on_every_page(province, other_agency_user):
    client = _logged_in(other_agency_user)
    posts = [
        decide_url(province, "1.1"),
        reverse("assessments:assessment-adopt", args=[2019]),
        reverse("assessments:assessment-approve", args=[2019]),
        reverse("assessments:assessment-unlock", args=[2019]),
    ]

    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("assessments:assessment-current")).status_code == 403
    for url in posts:
        assert client.post(url, {"score": "1", "version": "0", "reason": "x"}).status_code == 403
    assert not Assessment.objects.exists() and not Score.objects.exists()


def test_anonymous_goes_to_login(province, client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_wrong_methods_get_405(province, staff_client):
    assert staff_client.post(PAGE).status_code == 405
    assert staff_client.get(decide_url(province, "1.1")).status_code == 405
    assert (
        staff_client.get(reverse("assessments:assessment-approve", args=[2019])).status_code == 405
    )


def test_a_year_outside_the_plan_is_404(province, staff_client):
    assert (
        staff_client.get(reverse("assessments:assessment-detail", args=[2017])).status_code == 404
    )


def test_the_current_page_opens_the_latest_cycle(province, staff_client):
    response = staff_client.get(reverse("assessments:assessment-current"))

    assert response.status_code == 302 and response.headers["Location"] == PAGE


def test_staff_decide_a_row_with_a_decimal_comma(province, staff_client):
    assert self_score(province, "1.1") is None

    response = staff_client.post(
        decide_url(province, "1.1"),
        {"score": "0,5", "explanation": "Thiếu một văn bản.", "version": "0"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"{PAGE}#row-{province.tree['1.1'].pk}"
    assert self_score(province, "1.1") == D("0.5")
    entry = Entry.objects.get(criterion=province.tree["1.1"])
    assert (entry.explanation, entry.evidence_complete) == ("Thiếu một văn bản.", False)
    assert message_texts(response) == ["Đã lưu điểm tự đánh giá tiêu chí 1.1."]
    html = staff_client.get(PAGE).content.decode()
    assert 'name="score" value="0,5"' in html


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1,5", "1.1: Điểm tự đánh giá của tiêu chí 1.1 phải từ 0 đến 1."),
        ("abc", "1.1: “abc” không phải là số (viết ví dụ 7,5 hoặc 7.5)."),
    ],
)
def test_a_refused_score_is_explained_in_vietnamese_and_nothing_is_written(
    province, staff_client, typed, reason
):
    response = staff_client.post(decide_url(province, "1.1"), {"score": typed, "version": "0"})

    assert response.status_code == 302
    assert message_texts(response) == [reason]
    assert self_score(province, "1.1") is None
    assert not Assessment.objects.exists()


def test_leader_cannot_decide_nor_adopt(province, leader_client):
    response = leader_client.post(decide_url(province, "1.1"), {"score": "1", "version": "0"})
    adopt = leader_client.post(reverse("assessments:assessment-adopt", args=[2019]))

    assert (response.status_code, adopt.status_code) == (403, 403)
    assert self_score(province, "1.1") is None


def test_staff_adopt_every_proposal(province, staff_client):
    response = staff_client.post(reverse("assessments:assessment-adopt", args=[2019]))

    assert response.status_code == 302
    assert message_texts(response) == ["Đã lấy điểm đề xuất cho 3 tiêu chí chưa quyết định."]
    assert (self_score(province, "1.1"), self_score(province, "2.1")) == (D("0.75"), D("1.75"))


def test_staff_cannot_approve(province, staff_client, noivu_staff):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)

    response = staff_client.post(reverse("assessments:assessment-approve", args=[2019]))

    assert response.status_code == 403
    assert Assessment.objects.get().status == Assessment.Status.PROPOSED


def test_leader_approves_then_rows_are_locked_everywhere(
    province, noivu_staff, leader, leader_client, staff_client
):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)

    response = leader_client.post(reverse("assessments:assessment-approve", args=[2019]))

    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.is_approved and assessment.approved_by == leader
    html = staff_client.get(PAGE).content.decode()
    assert 'class="decide-form"' not in html and "Đã phê duyệt bởi lanhdao" in html
    refused = staff_client.post(decide_url(province, "1.2.2"), {"score": "1", "version": "0"})
    assert "đã được phê duyệt" in message_texts(refused)[0]
    # The score grid refuses the year's self-assessed scores, with the reason.
    score = Score.objects.get(criterion=province.tree["1.1"], year=2019, kind=Score.Kind.SELF)
    grid = staff_client.post(
        reverse("reports:score-save", args=[2019, province.tree["1.1"].pk]),
        {"self_value": "0,25", "self_version": str(score.version), "official_value": "",
         "official_version": "0", "note": ""},
        headers=HTMX,
    )  # fmt: skip
    assert grid.status_code == 422
    assert "Bản tự đánh giá năm 2019 đã được phê duyệt" in grid.content.decode()
    # The grid shows the lock, its self-assessed cells read-only; the official one stays open.
    page = staff_client.get(reverse("reports:score-grid", args=[2019]), {"area": "1"})
    html = page.content.decode()
    assert 'id="self-locked"' in html
    leaf = province.tree["1.1"].pk
    assert f'id="self-{leaf}"' in html
    assert html.split(f'id="self-{leaf}"')[1].split(">")[0].endswith(" readonly")
    official = staff_client.post(
        reverse("reports:score-save", args=[2019, province.tree["1.1"].pk]),
        {"self_value": "0,75", "self_version": str(score.version), "official_value": "0,5",
         "official_version": "0", "note": "Thiếu văn bản"},
        headers=HTMX,
    )  # fmt: skip
    assert official.status_code == 200
    assert self_score(province, "1.1") == D("0.75") and self_score(province, "1.2.2") is None


def test_leader_unlocks_with_a_reason(province, noivu_staff, leader, leader_client):
    services.adopt_proposals(plan=province.plan, year=2019, by=noivu_staff)
    services.approve(assessment=Assessment.objects.get(), by=leader)
    unlock = reverse("assessments:assessment-unlock", args=[2019])

    without = leader_client.post(unlock, {"reason": ""})
    assert message_texts(without) == ["Cần ghi lý do mở khóa."]
    assert Assessment.objects.get().is_approved

    response = leader_client.post(unlock, {"reason": "Bổ sung tài liệu 2.1"})

    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.status == Assessment.Status.PROPOSED
    assert assessment.transitions.order_by("-pk").first().note == "Bổ sung tài liệu 2.1"


def test_navigation_links_the_page_for_staff_and_leaders_only(
    province, staff_client, leader_client, other_agency_user
):
    link = f'href="{reverse("assessments:assessment-current")}"'
    overview = reverse("reports:overview")

    assert link in staff_client.get(overview).content.decode()
    assert link in leader_client.get(overview).content.decode()
    assert link not in _logged_in(other_agency_user).get(overview).content.decode()
