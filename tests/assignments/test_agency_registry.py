"""The agency fresh_registry as data: Tiền Giang's fixture, groups and their members."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assignments.admin import AgencyAliasForm, AgencyGroupForm
from assignments.models import Agency, AgencyAlias, AgencyGroup

pytestmark = pytest.mark.django_db

AGENCIES_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "agencies.json"

DEPARTMENTS = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh",
    "Ban Quản lý các khu công nghiệp",
]
DISTRICTS = [
    "UBND thành phố Mỹ Tho",
    "UBND thị xã Gò Công",
    "UBND thị xã Cai Lậy",
    "UBND huyện Cái Bè",
    "UBND huyện Cai Lậy",
    "UBND huyện Tân Phước",
    "UBND huyện Châu Thành",
    "UBND huyện Chợ Gạo",
    "UBND huyện Gò Công Tây",
    "UBND huyện Gò Công Đông",
    "UBND huyện Tân Phú Đông",
]


def kind_names(kind: Agency.Kind) -> set[str]:
    return set(Agency.objects.filter(kind=kind).values_list("name", flat=True))


def test_fixture_holds_every_agency_of_the_province(tien_giang):
    assert kind_names(Agency.Kind.DEPARTMENT) == set(DEPARTMENTS)
    assert kind_names(Agency.Kind.DISTRICT) == set(DISTRICTS)
    assert kind_names(Agency.Kind.MEDIA) == {"Đài Phát thanh và Truyền hình tỉnh", "Báo Ấp Bắc"}
    assert Agency.objects.filter(is_active=True).count() == 31


def test_loading_the_fixture_again_adds_nothing(tien_giang):
    before = (Agency.objects.count(), AgencyAlias.objects.count(), AgencyGroup.objects.count())

    call_command("loaddata", AGENCIES_FIXTURE, verbosity=0)

    after = (Agency.objects.count(), AgencyAlias.objects.count(), AgencyGroup.objects.count())
    assert after == before


def test_fixture_names_no_agency_twice(fresh_registry):
    assert fresh_registry.ambiguous == {}


@pytest.mark.parametrize(
    ("alias", "agency"),
    [
        ("VPUB", "Văn phòng UBND tỉnh"),
        ("Văn phòng UBND", "Văn phòng UBND tỉnh"),
        ("Sở Thông tin và Truyền thông", "Sở Thông tin và Truyền thông"),
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
        ("Sở KHCN", "Sở Khoa học và Công nghệ"),
        ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
        ("Sở LĐTB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Đài PTTH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
    ],
)
def test_registry_knows_the_short_forms_texts_use(fresh_registry, alias, agency):
    assert fresh_registry.owner(alias) == Agency.objects.get(name=agency)


@pytest.mark.parametrize(
    ("phrase", "group"),
    [
        ("các sở, ban, ngành tỉnh", "Các sở, ban, ngành tỉnh"),
        ("các sở, ban, ngành", "Các sở, ban, ngành tỉnh"),
        ("UBND cấp huyện", "UBND cấp huyện"),
        ("UBND các huyện, thành phố, thị xã", "UBND cấp huyện"),
        ("cấp xã", "UBND cấp xã"),
        ("UBND cấp xã", "UBND cấp xã"),
        ("các cơ quan chuyên môn cấp tỉnh", "Các cơ quan chuyên môn cấp tỉnh"),
        ("CQCM cấp tỉnh", "Các cơ quan chuyên môn cấp tỉnh"),
        ("Cơ quan hành chính nhà nước các cấp", "Cơ quan hành chính nhà nước các cấp"),
        ("Các cơ quan hành chính", "Cơ quan hành chính nhà nước các cấp"),
        ("các ĐVSN công lập", "Các đơn vị sự nghiệp công lập"),
        ("Các ĐVSN công lập của tỉnh", "Các đơn vị sự nghiệp công lập"),
        ("đơn vị sự nghiệp công lập", "Các đơn vị sự nghiệp công lập"),
        ("đơn vị SNCL", "Các đơn vị sự nghiệp công lập"),
        ("Cơ quan tài chính các cấp", "Cơ quan tài chính các cấp"),
        ("Thủ trưởng các ngành, các cấp", "Thủ trưởng các ngành, các cấp"),
        ("các cơ quan, đơn vị có liên quan", "Các cơ quan, đơn vị có liên quan"),
    ],
)
def test_registry_knows_the_group_phrases_texts_use(fresh_registry, phrase, group):
    assert fresh_registry.owner(phrase) == AgencyGroup.objects.get(name=group)


def test_district_group_is_every_district(tien_giang):
    group = AgencyGroup.objects.get(name="UBND cấp huyện")

    assert {agency.name for agency in group.members()} == set(DISTRICTS)


def test_new_district_joins_the_district_group(fresh_registry):
    group = AgencyGroup.objects.get(name="UBND cấp huyện")
    assert group.members().count() == 11

    district = Agency.objects.create(
        name="UBND huyện Mới Lập", short_name="H. Mới Lập", kind=Agency.Kind.DISTRICT
    )

    assert group.members().count() == 12
    assert district in group.members()
    assert district not in fresh_registry.members(group)  # a fresh_registry is read once, then kept
    assert district in type(fresh_registry).load().members(group)


def test_closed_district_leaves_the_district_group(tien_giang):
    group = AgencyGroup.objects.get(name="UBND cấp huyện")

    Agency.objects.filter(name="UBND huyện Cai Lậy").update(is_active=False)

    assert group.members().count() == 10
    assert not group.members().filter(name="UBND huyện Cai Lậy").exists()


def test_group_of_kinds_and_chosen_agencies_has_both(tien_giang):
    group = AgencyGroup.objects.get(name="Cơ quan tài chính các cấp")

    members = {agency.name for agency in group.members()}

    assert members == {"Sở Tài chính", *DISTRICTS}


def test_group_of_chosen_agencies_only_does_not_grow_with_its_kind(tien_giang):
    group = AgencyGroup.objects.get(name="Các cơ quan chuyên môn cấp tỉnh")
    before = set(group.members())

    Agency.objects.create(name="Sở Ngoại vụ", short_name="Sở NgV", kind=Agency.Kind.DEPARTMENT)

    assert set(group.members()) == before
    assert len(before) == 17
    assert Agency.objects.get(name="Ban Quản lý các khu công nghiệp") not in before


def test_commune_group_is_recognised_before_any_commune_is_registered(fresh_registry):
    group = AgencyGroup.objects.get(name="UBND cấp xã")

    assert fresh_registry.owner("UBND cấp xã") == group
    assert list(group.members()) == []


def test_registry_members_are_the_groups_own_members(fresh_registry):
    for group in AgencyGroup.objects.all():
        assert set(fresh_registry.members(group)) == set(group.members()), group.name


def test_alias_form_refuses_a_name_of_another_agency(tien_giang):
    justice = Agency.objects.get(name="Sở Tư pháp")
    form = AgencyAliasForm(data={"text": "VPUB"}, instance=AgencyAlias(agency=justice))

    assert not form.is_valid()

    assert "Văn phòng UBND tỉnh" in form.errors["text"][0]
    assert not AgencyAlias.objects.filter(agency=justice, text="VPUB").exists()


def test_alias_form_accepts_a_new_spelling_of_the_same_agency(tien_giang):
    office = Agency.objects.get(name="Văn phòng UBND tỉnh")
    form = AgencyAliasForm(data={"text": "Văn phòng Uỷ ban nhân dân tỉnh Tiền Giang"})
    form.instance.agency = office

    assert form.is_valid(), form.errors
    form.save()

    assert office.aliases.filter(text="Văn phòng Uỷ ban nhân dân tỉnh Tiền Giang").exists()


def test_group_form_stores_the_kinds_ticked(tien_giang):
    form = AgencyGroupForm(
        data={"name": "Các cơ quan báo chí", "kinds": [Agency.Kind.MEDIA], "agencies": []}
    )

    assert form.is_valid(), form.errors
    group = form.save()

    assert group.kinds == ["media"]
    assert {agency.name for agency in group.members()} == {
        "Đài Phát thanh và Truyền hình tỉnh",
        "Báo Ấp Bắc",
    }


def test_group_with_an_unknown_kind_is_refused(db):
    group = AgencyGroup(name="Các hội, đoàn thể", kinds=["association"])

    with pytest.raises(ValidationError, match="association"):
        group.full_clean()

    assert not AgencyGroup.objects.exists()


def test_agency_cannot_be_its_own_parent(tien_giang):
    district = Agency.objects.get(name="UBND huyện Cái Bè")
    district.parent = district

    with pytest.raises(ValidationError, match="chính nó"):
        district.full_clean()

    assert Agency.objects.get(pk=district.pk).parent is None
