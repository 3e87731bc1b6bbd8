"""The data of the province's index of its units that names agencies: exemptions from
criteria (and the maximum that then applies) and the clusters units are ranked within."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from assignments.models import Agency, Exemption, UnitCluster
from criteria.models import Criterion, Framework, UnitBand

pytestmark = pytest.mark.django_db
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def framework() -> Framework:
    """Departments' framework: areas 1 (6), 2 (4: 2.1 and 2.2 of 2 each), bonus area 3."""
    framework = Framework.objects.create(
        code="SBN-2020", name="Sở 2020", unit_type="department", first_year=2020, max_score=10
    )
    for code, maximum, kind in [
        ("1", 6, "regular"),
        ("2", 4, "regular"),
        ("2.1", 2, "regular"),
        ("2.2", 2, "regular"),
        ("3", 2, "bonus"),
    ]:
        Criterion.objects.create(
            framework=framework,
            parent=Criterion.objects.filter(framework=framework, code=code[:-2]).first(),
            code=code,
            title=f"Tiêu chí {code}",
            max_score=maximum,
            kind=kind,
        )
    return framework


def criterion(framework: Framework, code: str) -> Criterion:
    return framework.criteria.get(code=code)


def test_an_exempt_area_counts_once_with_its_criteria(framework, agency, django_assert_num_queries):
    other = Agency.objects.create(name="Thanh tra tỉnh", short_name="TTr", kind="department")
    Exemption.objects.create(agency=agency, criterion=criterion(framework, "2"))
    Exemption.objects.create(agency=agency, criterion=criterion(framework, "2.1"))
    Exemption.objects.create(agency=other, criterion=criterion(framework, "2.2"))

    # exemptions of the framework with their criteria
    with django_assert_num_queries(1):
        maxima = Exemption.objects.applicable_maxima(framework)

    assert maxima == {agency.pk: Decimal(6), other.pk: Decimal(8)}
    assert framework.unit_total(regular=Decimal(5), applicable_maximum=maxima[agency.pk]) == (
        Decimal("8.33")
    )


def test_an_exemption_must_fit_the_unit_and_the_framework(framework, agency, other_agency):
    national = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    area = Criterion.objects.create(framework=national, code="1", title="Lĩnh vực", max_score=5)
    cases = [
        (Exemption(agency=other_agency, criterion=criterion(framework, "1")), "không thuộc loại"),
        (Exemption(agency=agency, criterion=area), "bộ chỉ số của Bộ Nội vụ đánh giá tỉnh"),
        (Exemption(agency=agency, criterion=criterion(framework, "3")), "Chỉ miễn tiêu chí chấm"),
    ]

    for exemption, message in cases:
        with pytest.raises(ValidationError, match=message):
            exemption.full_clean()
    Exemption(agency=agency, criterion=criterion(framework, "1")).full_clean()


def test_a_unit_cannot_be_exempt_from_every_regular_criterion(framework, agency):
    Exemption.objects.create(agency=agency, criterion=criterion(framework, "1"))

    with pytest.raises(ValidationError, match="miễn toàn bộ các tiêu chí chấm điểm"):
        Exemption(agency=agency, criterion=criterion(framework, "2")).full_clean()


def test_the_admin_refuses_an_exemption_of_another_unit_type(admin_client, framework, other_agency):
    response = admin_client.post(
        reverse("admin:assignments_exemption_add"),
        {"agency": other_agency.pk, "criterion": criterion(framework, "1").pk, "reason": ""},
    )

    assert response.status_code == 200
    assert "không thuộc loại đơn vị “Sở, ban, ngành tỉnh”" in response.content.decode()
    assert not Exemption.objects.exists()


# -- Clusters ----------------------------------------------------------------------------


@pytest.fixture
def tien_giang() -> None:
    call_command("loaddata", FIXTURES / "agencies.json", verbosity=0)
    call_command(
        "loaddata", FIXTURES / "unit_frameworks" / "district_clusters_2020.json", verbosity=0
    )


def test_tien_giangs_clusters_hold_every_district_once(tien_giang, django_assert_num_queries):
    districts = set(Agency.objects.filter(kind="district").values_list("pk", flat=True))

    # the clusters' members with their clusters
    with django_assert_num_queries(1):
        by_member = UnitCluster.objects.by_member(year=2020, unit_type="district")

    assert set(by_member) == districts
    first = UnitCluster.objects.get(year=2020, name="Cụm 1")
    assert {"UBND huyện Chợ Gạo", "UBND huyện Cai Lậy"} <= {a.name for a in first.members.all()}
    assert first.description.startswith("Ví dụ minh họa.")
    assert sum(cluster.members.count() for cluster in UnitCluster.objects.all()) == len(districts)


def test_a_district_is_in_one_cluster_a_year_and_only_districts_are(tien_giang):
    cho_gao = Agency.objects.get(name="UBND huyện Chợ Gạo")
    department = Agency.objects.get(name="Sở Nội vụ")
    next_year = UnitCluster.objects.create(year=2021, name="Cụm 1")
    same_year = UnitCluster(year=2020, name="Cụm 4")

    with pytest.raises(ValidationError) as raised:
        same_year.check_members([cho_gao, department])
    next_year.check_members([cho_gao])

    assert raised.value.messages == [
        "Sở Nội vụ không phải là “UBND cấp huyện”.",
        "UBND huyện Chợ Gạo đã thuộc Cụm 1 năm 2020.",
    ]


def test_the_admin_refuses_a_district_already_in_a_cluster(admin_client, tien_giang):
    cho_gao = Agency.objects.get(name="UBND huyện Chợ Gạo")

    response = admin_client.post(
        reverse("admin:assignments_unitcluster_add"),
        {
            "year": 2020,
            "unit_type": "district",
            "name": "Cụm 4",
            "position": 4,
            "description": "",
            "members": [cho_gao.pk],
        },
    )

    assert response.status_code == 200
    assert "UBND huyện Chợ Gạo đã thuộc Cụm 1 năm 2020." in response.content.decode()
    assert not UnitCluster.objects.filter(name="Cụm 4").exists()


def test_the_bands_fixture_gives_four_bands_per_unit_type():
    call_command("loaddata", FIXTURES / "unit_frameworks" / "unit_bands_2020.json", verbosity=0)

    bands = UnitBand.objects.for_unit("district", 2020)

    assert [(band.name, band.min_score) for band in bands] == [
        ("Tốt", 90),
        ("Khá", 80),
        ("Trung bình", 70),
        ("Yếu", 0),
    ]
    assert UnitBand.objects.count() == 16
