"""Ranks and groups from a total, ties as the ministry publishes them, and the reverse."""

from decimal import Decimal as D

import pytest

from criteria.ranking import (
    GroupBound,
    Ranking,
    competition_ranks,
    inferred_groups,
    vietnamese_key,
)


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    totals = {"a": D("91.04"), "b": D("86.56"), "c": D("86.56"), "d": D("79.68")}

    assert competition_ranks(totals) == {"a": 1, "b": 2, "c": 2, "d": 4}


@pytest.fixture
def ranking() -> Ranking:
    # The others of a year (the province itself left out), groups as published.
    return Ranking(
        others=[D("90.51"), D("91.04"), D("86.56"), D("86.56"), D("80.05"), D("73.25")],
        groups=[
            GroupBound("B", D("80")),
            GroupBound("A", D("90")),
            GroupBound("C", D("70")),
        ],
    )


@pytest.mark.parametrize(
    ("score", "rank", "group"),
    [
        (D("95"), 1, "A"),
        (D("91.04"), 1, "A"),  # a tie with the first is first
        (D("86.56"), 3, "B"),
        (D("86.55"), 5, "B"),
        (D("79.68"), 6, "C"),
        (D("73.25"), 6, "C"),
        (D("60"), 7, None),
    ],
)
def test_rank_and_group_of_a_score(ranking, score, rank, group):
    assert ranking.rank_of(score) == rank
    assert ranking.group_of(score) == group


def test_score_needed_for_a_rank_is_the_total_now_holding_it(ranking):
    assert ranking.score_for_rank(1) == D("91.04")
    assert ranking.score_for_rank(4) == D("86.56")
    assert ranking.score_for_rank(5) == D("80.05")
    assert ranking.rank_of(ranking.score_for_rank(5)) == 5
    assert ranking.score_for_rank(7) == D(0)
    with pytest.raises(ValueError):
        ranking.score_for_rank(0)


def test_score_for_the_next_group_and_to_pass_a_peer(ranking):
    assert ranking.next_group(D("79.68")) == GroupBound("B", D("80"))
    assert ranking.next_group(D("86")) == GroupBound("A", D("90"))
    assert ranking.next_group(D("91")) is None
    assert ranking.score_for_group("A") == D("90")
    # Tây Ninh's 80,05: a tie shares its rank, passing needs one hundredth more.
    assert Ranking.score_to_pass(D("80.05")) == D("80.06")
    tied = competition_ranks({"me": D("80.05"), "peer": D("80.05")})
    passed = competition_ranks({"me": Ranking.score_to_pass(D("80.05")), "peer": D("80.05")})
    assert (tied["me"], tied["peer"]) == (1, 1)
    assert (passed["me"], passed["peer"]) == (1, 2)


def test_groups_without_published_bounds_start_at_their_lowest_member():
    bounds = inferred_groups({"A": [D("91.04"), D("90.51")], "B": [D("88.47"), D("80.1")], "": []})

    assert bounds == [GroupBound("A", D("90.51")), GroupBound("B", D("80.1"))]


def test_names_sort_in_vietnamese_alphabetical_order():
    names = [
        "Sở Giáo dục và Đào tạo", "Sở Xây dựng", "Sở Đồng Khởi", "Sở Ân", "Sở Du lịch",
        "Sở Công Thương", "Sở Ảnh", "Sở Dân tộc", "Sở Ưu tiên", "Sở Uỷ thác", "Sở Ô tô",
        "Sở Ốc", "Sở Ơn", "Sở Zeta", "Sở Y tế", "sở y tế",
    ]  # fmt: skip

    ordered = sorted(names, key=vietnamese_key)

    # Python's own order puts Đ (and Ư, Ơ, an accented capital) after Z.
    assert sorted(names).index("Sở Đồng Khởi") > sorted(names).index("Sở Zeta")
    assert ordered == [
        "Sở Ảnh", "Sở Ân", "Sở Công Thương", "Sở Dân tộc", "Sở Du lịch", "Sở Đồng Khởi",
        "Sở Giáo dục và Đào tạo", "Sở Ô tô", "Sở Ốc", "Sở Ơn", "Sở Uỷ thác", "Sở Ưu tiên",
        "Sở Xây dựng", "Sở Y tế", "sở y tế", "Sở Zeta",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ca", "Cà"), ("Cà", "Cả"), ("Cả", "Cã"), ("Cã", "Cá"), ("Cá", "Cạ"),  # tones
        ("Cạ", "Cai"),  # letters before tones
        ("Sở Y", "Sở Y tế"),  # a shorter name first
        ("Cụm 1", "Cụm A"),  # digits before letters
        ("Dương", "Đa"), ("Đa", "Ea"),  # Đ between D and E
    ],
)  # fmt: skip
def test_vietnamese_key_orders_pairs(first, second):
    assert vietnamese_key(first) < vietnamese_key(second)
