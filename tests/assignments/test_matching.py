"""Who acts in an action text, read from the names and aliases in the agency registry."""

import unicodedata

import pytest

from assignments.matching import AgencyRegistry, match_agencies
from assignments.models import Agency, AgencyAlias, AgencyGroup
from tests.assignments.seed_texts import APPENDIX_ACTIONS, SECTION_II_RESPONSIBILITIES

pytestmark = pytest.mark.django_db

# Appendix rows whose "Thực hiện" cell names no agency, and why.
AGENCY_LESS = {
    "8.1": "Điều tra XHH: the score comes from the ministry's survey of citizens, no agency acts",
}

# The "Đơn vị chủ trì" of each part of section II, as the plan names it.
SECTION_II_LEADS = {
    "1.2": "Sở Nội vụ",
    "2.2": "Sở Tư pháp",
    "3.2": "Văn phòng UBND tỉnh",
    "4.2": "Sở Nội vụ",
    "5.2": "Sở Nội vụ",
    "6.2": "Sở Tài chính",
    "7.2": "Sở Thông tin và Truyền thông",
    "8.2": "Văn phòng UBND tỉnh",
    "9.2": "Sở Kế hoạch và Đầu tư",
}


def names(agencies: list[Agency]) -> list[str]:
    return [agency.name for agency in agencies]


def group_names(groups: list[AgencyGroup]) -> list[str]:
    return [group.name for group in groups]


def test_every_appendix_action_is_recognised_except_the_agency_less_rows(registry):
    unrecognised = [
        code for code, text in APPENDIX_ACTIONS.items() if not registry.match(text).recognised
    ]

    assert len(APPENDIX_ACTIONS) == 75
    assert unrecognised == list(AGENCY_LESS)


@pytest.mark.parametrize("section", SECTION_II_RESPONSIBILITIES)
def test_every_responsibility_line_of_section_ii_is_recognised(registry, section):
    lines = SECTION_II_RESPONSIBILITIES[section]

    matches = [registry.match(line) for line in lines]

    assert lines[0].startswith("- Đơn vị chủ trì")
    assert lines[1].startswith("- Đơn vị phối hợp")
    assert all(match.recognised for match in matches)


@pytest.mark.parametrize("section", SECTION_II_RESPONSIBILITIES)
def test_section_ii_lead_is_the_first_agency_in_charge(registry, section):
    match = registry.match("\n".join(SECTION_II_RESPONSIBILITIES[section]))

    assert match.lead.name == SECTION_II_LEADS[section]
    assert match.lead not in match.supporting
    assert match.lead not in match.group_members


def test_each_bullet_doer_leads_and_the_one_it_works_with_supports(registry):
    match = registry.match(APPENDIX_ACTIONS["7.5"])

    assert names(match.leads) == ["Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"]
    assert names(match.supporting) == ["Văn phòng UBND tỉnh"]
    assert match.groups == []


def test_an_agency_doing_two_of_three_bullets_leads_beside_the_first(registry):
    match = registry.match(APPENDIX_ACTIONS["4.4"])

    assert names(match.leads) == ["Văn phòng UBND tỉnh", "Sở Nội vụ"]
    assert match.supporting == []


def test_the_group_doing_the_work_leads_and_the_agency_monitoring_it_supports(registry):
    match = registry.match(APPENDIX_ACTIONS["5.2.2"])

    assert match.leads == []
    assert group_names(match.lead_groups) == ["Các đơn vị sự nghiệp công lập"]
    assert names(match.supporting) == ["Sở Nội vụ"]


def test_an_agency_only_overseeing_leads_when_nobody_else_does(registry):
    match = registry.match("Sở Nội vụ theo dõi, kiểm tra việc thực hiện.")

    assert names(match.leads) == ["Sở Nội vụ"]


def test_agencies_listed_in_charge_keep_their_order(registry):
    match = registry.match(SECTION_II_RESPONSIBILITIES["9.2"][0])

    assert match.lead.name == "Sở Kế hoạch và Đầu tư"
    assert names(match.supporting) == ["Sở Y tế", "Sở Giáo dục và Đào tạo"]


def test_coordinating_groups_resolve_to_their_members(fresh_registry):
    match = fresh_registry.match("\n".join(SECTION_II_RESPONSIBILITIES["1.2"]))

    assert names(match.supporting) == ["Đài Phát thanh và Truyền hình tỉnh", "Báo Ấp Bắc"]
    assert group_names(match.groups) == [
        "Các sở, ban, ngành tỉnh",
        "UBND cấp huyện",
        "UBND cấp xã",
        "Các cơ quan, đơn vị có liên quan",
    ]
    departments = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).exclude(name="Sở Nội vụ")
    districts = Agency.objects.filter(kind=Agency.Kind.DISTRICT)
    assert set(match.group_members) == {*departments, *districts}


def test_peoples_committee_advised_is_not_an_acting_agency(registry):
    match = registry.match(APPENDIX_ACTIONS["1.5"])

    assert "tham mưu UBND tỉnh" in APPENDIX_ACTIONS["1.5"]
    assert match.lead.name == "Sở Nội vụ"
    assert match.supporting == []
    assert match.groups == []


def test_peoples_committee_alone_is_not_recognised(registry):
    match = registry.match("UBND tỉnh chỉ đạo thực hiện đầy đủ các nhiệm vụ được giao")

    assert not match.recognised
    assert match.lead is None


def test_longest_name_wins_over_the_peoples_committee_inside_it(registry):
    match = registry.match(APPENDIX_ACTIONS["1.6"])

    assert match.lead.name == "Văn phòng UBND tỉnh"
    assert match.supporting == []


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("3.4.1", "Các cơ quan chuyên môn cấp tỉnh"),
        ("3.4.2", "UBND cấp huyện"),
        ("3.4.3", "UBND cấp xã"),
        ("4.2.1", "Cơ quan hành chính nhà nước các cấp"),
        ("4.2.2", "Các đơn vị sự nghiệp công lập"),
        ("7.1.3", "Cơ quan hành chính nhà nước các cấp"),
        ("8.2.3", "Cơ quan tài chính các cấp"),
    ],
)
def test_text_naming_only_a_group_makes_the_group_lead(registry, code, group):
    match = registry.match(APPENDIX_ACTIONS[code])

    assert match.recognised
    assert match.leads == []
    assert match.supporting == []
    assert group_names(match.lead_groups) == [group]
    assert match.groups == []


def test_group_acting_in_its_own_line_leads_beside_the_agency(fresh_registry):
    match = fresh_registry.match(APPENDIX_ACTIONS["5.2.1"])

    assert names(match.leads) == ["Sở Nội vụ"]
    assert group_names(match.lead_groups) == ["UBND cấp huyện"]
    assert set(match.group_members) == set(Agency.objects.filter(kind=Agency.Kind.DISTRICT))


@pytest.mark.parametrize("code", ["3.2.3", "3.5.1", "4.1.1", "4.1.2", "5.1.1", "5.4", "7.4.1"])
def test_agencies_named_as_the_object_of_the_work_do_not_act(registry, code):
    match = registry.match(APPENDIX_ACTIONS[code])

    assert match.lead is not None
    assert match.supporting == []
    assert match.groups == []
    assert match.group_members == []


def test_agency_and_group_joined_by_va_both_act(registry):
    match = registry.match(APPENDIX_ACTIONS["3.5.2"])

    assert match.lead.name == "Văn phòng UBND tỉnh"
    assert group_names(match.groups) == ["Các cơ quan, đơn vị có liên quan"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sở TT&TT chủ trì thực hiện", "Sở Thông tin và Truyền thông"),
        ("Sở TT & TT chủ trì thực hiện", "Sở Thông tin và Truyền thông"),
        ("VPUB tiếp tục duy trì thực hiện", "Văn phòng UBND tỉnh"),
        ("Văn phòng UBND tăng cường kiểm tra", "Văn phòng UBND tỉnh"),
        ("Sở KH&ĐT tham mưu UBND tỉnh", "Sở Kế hoạch và Đầu tư"),
        ("Sở KHCN tiếp tục duy trì thực hiện", "Sở Khoa học và Công nghệ"),
        ("Sở GD&ĐT nâng cao chất lượng giáo dục công lập", "Sở Giáo dục và Đào tạo"),
        ("Sở LĐTB&XH phối hợp thực hiện", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở Lao động – Thương binh và Xã hội phối hợp", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở VHTTDL tuyên truyền", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở Văn hoá, Thể thao và Du lịch tuyên truyền", "Sở Văn hóa, Thể thao và Du lịch"),
        ("SỞ NỘI VỤ  TIẾP TỤC THỰC HIỆN", "Sở Nội vụ"),
        ("Uỷ ban nhân dân huyện Cái Bè thực hiện", "UBND huyện Cái Bè"),
        ("UBND TP. Mỹ Tho thực hiện", "UBND thành phố Mỹ Tho"),
        (unicodedata.normalize("NFD", "Sở Tư pháp tiếp tục duy trì"), "Sở Tư pháp"),
    ],
)
def test_agency_is_found_by_its_aliases_and_spellings(registry, text, expected):
    match = registry.match(text)

    assert match.lead.name == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bộ Nội vụ hướng dẫn thực hiện",  # the ministry, not Sở Nội vụ
        "Sở Nội vụ2 thực hiện",  # a name only counts as whole words
        "VPUBX thực hiện",
        "Điều tra XHH",
        "",
    ],
)
def test_text_without_a_registered_name_is_not_recognised(registry, text):
    assert not registry.match(text).recognised


def test_an_agency_added_to_the_registry_is_matched_without_code_changes(fresh_registry):
    before = fresh_registry.match("Sở Ngoại vụ chủ trì thực hiện")
    agency = Agency.objects.create(
        name="Sở Ngoại vụ", short_name="Sở NgV", kind=Agency.Kind.DEPARTMENT
    )
    AgencyAlias.objects.create(agency=agency, text="SNgV")

    after = AgencyRegistry.load()

    assert not before.recognised
    assert after.match("Sở Ngoại vụ chủ trì thực hiện").lead == agency
    assert after.match("SNgV chủ trì").lead == agency


def test_inactive_agency_is_neither_matched_nor_a_member(fresh_registry):
    health = Agency.objects.get(name="Sở Y tế")
    departments = AgencyGroup.objects.get(name="Các sở, ban, ngành tỉnh")
    assert fresh_registry.match("Sở Y tế thực hiện").lead == health
    Agency.objects.filter(pk=health.pk).update(is_active=False)

    reloaded = AgencyRegistry.load()

    assert not reloaded.match("Sở Y tế thực hiện").recognised
    assert health not in reloaded.members(departments)


def test_name_claimed_by_two_agencies_is_reported_not_guessed(fresh_registry):
    justice = Agency.objects.get(name="Sở Tư pháp")
    AgencyAlias.objects.create(agency=justice, text="Sở TC")

    reloaded = AgencyRegistry.load()

    assert fresh_registry.match("Sở TC thực hiện").lead.name == "Sở Tài chính"
    assert names(reloaded.ambiguous["sở tc"]) == ["Sở Tài chính", "Sở Tư pháp"]
    assert not reloaded.match("Sở TC thực hiện").recognised


def test_empty_registry_recognises_nothing(db):
    match = match_agencies("Sở Nội vụ tiếp tục duy trì thực hiện")

    assert not match.recognised


def test_matching_every_seed_text_reads_the_registry_once(tien_giang, django_assert_num_queries):
    texts = [*APPENDIX_ACTIONS.values(), *sum(SECTION_II_RESPONSIBILITIES.values(), [])]

    # agencies, their aliases, groups, their aliases, their chosen agencies
    with django_assert_num_queries(5):
        registry = AgencyRegistry.load()
        matches = [registry.match(text) for text in texts]
        members = [member.name for match in matches for member in match.group_members]

    assert len(matches) == 93
    assert "UBND huyện Tân Phú Đông" in members
