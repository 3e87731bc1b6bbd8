"""Ranks and groups from totals, the way the ministry publishes them: equal totals share a
rank and the next rank is skipped (1, 2, 2, 4). One function set for every ranking the
portal makes: provinces nationally, and whatever else is ranked by a final total; the
units that share a rank are listed in Vietnamese alphabetical order (vietnamese_key).
"""

import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

# Totals are published with two decimals: the smallest step that passes a peer.
STEP = Decimal("0.01")


# The letters in the order of the Vietnamese alphabet (with f, j, w, z of foreign names in
# their Latin places): ă and â follow a, đ follows d, ê follows e, ô and ơ follow o, ư
# follows u.
_ALPHABET = {letter: place for place, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
# Marks that make a letter of their own (breve, circumflex, horn), and the tone marks in
# the dictionaries' order: level, huyền, hỏi, ngã, sắc, nặng.
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple:
    """A sort key putting names in Vietnamese alphabetical order ("Sở Công Thương" <
    "Sở Du lịch" < "Sở Đ…" < "Sở Giáo dục"), which neither Python's str order nor a
    database's default collation gives (both put Đ after Z): letters first, case and
    tone marks only between names whose letters are the same ("Ca" < "Cà" < "Cá")."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for character in unicodedata.normalize("NFC", text).casefold():
        base, *marks = unicodedata.normalize("NFD", character)
        own = "".join(mark for mark in marks if mark in _LETTER_MARKS)
        letter = unicodedata.normalize("NFC", base + own)
        place = _ALPHABET.get(letter)
        # Spaces, digits and punctuation before letters, among themselves by code point.
        letters.append((0, ord(letter[0])) if place is None else (1, place))
        tones.append(max((_TONES.get(mark, 0) for mark in marks), default=0))
    return (letters, tones, text)


def competition_ranks[Key: Hashable](totals: Mapping[Key, Decimal]) -> dict[Key, int]:
    """Each key's rank: one plus the number of strictly higher totals."""
    ordered = sorted(totals.values(), reverse=True)
    first_at: dict[Decimal, int] = {}
    for position, total in enumerate(ordered, start=1):
        first_at.setdefault(total, position)
    return {key: first_at[total] for key, total in totals.items()}


@dataclass(frozen=True)
class GroupBound:
    """A group and the lowest index that still belongs to it."""

    code: str
    min_index: Decimal


@dataclass
class Ranking:
    """The totals of a year's table (the others', the province itself left out) and its
    group bounds, highest first; answers "which rank for this score" and the reverse."""

    others: list[Decimal]
    groups: list[GroupBound] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.others = sorted(self.others, reverse=True)
        self.groups = sorted(self.groups, key=lambda group: group.min_index, reverse=True)

    @property
    def size(self) -> int:
        return len(self.others) + 1

    def rank_of(self, score: Decimal) -> int:
        """The rank `score` would have had, a tie sharing the rank of the equal total."""
        return 1 + sum(1 for other in self.others if other > score)

    def group_of(self, score: Decimal) -> str | None:
        return next((g.code for g in self.groups if score >= g.min_index), None)

    def score_for_rank(self, rank: int) -> Decimal:
        """The lowest total that gives `rank` or better: equal to the total now holding it."""
        if rank < 1:
            raise ValueError(rank)
        if rank > len(self.others):
            return Decimal(0)
        return self.others[rank - 1]

    def score_for_group(self, code: str) -> Decimal | None:
        return next((g.min_index for g in self.groups if g.code == code), None)

    def next_group(self, score: Decimal) -> GroupBound | None:
        """The group just above the one `score` falls in, if there is one."""
        above = [g for g in self.groups if g.min_index > score]
        return above[-1] if above else None

    @staticmethod
    def score_to_pass(peer: Decimal) -> Decimal:
        """To rank above a peer one needs strictly more: a tie shares the rank."""
        return peer + STEP


def inferred_groups(members: Mapping[str, list[Decimal]]) -> list[GroupBound]:
    """Group bounds read off a published table when the ministry states none: each group
    starts at its lowest member's index."""
    return [
        GroupBound(code=code, min_index=min(indexes))
        for code, indexes in members.items()
        if code and indexes
    ]
