"""Who acts in an action text: the agencies and groups it names, the first agency leading.

The rules, as the plan's texts are written:

- Names, short names and aliases of active agencies and groups are found case-insensitively
  in the text's key (see `name_key`), whole words only, the longest first, so "Văn phòng UBND
  tỉnh" is Văn phòng UBND tỉnh and never some shorter name inside it.
- Each line is a clause ("- Sở Nội vụ kiểm tra …"). Its actors are the first name in it and
  the names joined to that one by "và", "phối hợp (với)", "chủ trì", "cùng", commas or
  semicolons. A name further on is the object of the work, not an actor: in "Sở Nội vụ tham
  mưu UBND tỉnh thực hiện đúng quy định tại các cơ quan hành chính" only Sở Nội vụ acts.
- "UBND tỉnh" is deliberately not in the registry: in these texts the province's People's
  Committee is the body being advised or reported to ("tham mưu UBND tỉnh"), never one of
  the agencies doing the work. A text where it is the only name is not recognised, and so is
  listed for a person to assign.
- The lead is the first agency named; the other agencies named as actors support it. A group
  never leads: it stands for many agencies each doing its own part. A text naming only a
  group ("UBND cấp huyện rà soát …") is recognised, with no lead and the group in `groups`.
- A name that two agencies or groups claim is left out of matching and reported in
  `AgencyRegistry.ambiguous`, rather than given to one of them by chance.
"""

import re
from dataclasses import dataclass, field
from itertools import pairwise

from assignments.models import Agency, AgencyGroup, name_key

Owner = Agency | AgencyGroup

# The words that may stand between two actors of one clause.
CONNECTING_WORDS = frozenset(
    name_key(word) for word in ("và", "cùng", "với", "phối", "hợp", "chủ", "trì", "các")
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    """The agencies an action text puts to work."""

    lead: Agency | None
    supporting: list[Agency] = field(default_factory=list)
    groups: list[AgencyGroup] = field(default_factory=list)
    # Members of the groups named, other than the lead and the supporting agencies.
    group_members: list[Agency] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return self.lead is not None or bool(self.groups)


class AgencyRegistry:
    """Every active agency and every group with the names texts call them by, held in memory."""

    def __init__(self, agencies: list[Agency], groups: list[AgencyGroup]) -> None:
        claims: dict[str, list[Owner]] = {}
        for agency in agencies:
            names = [
                agency.name,
                agency.short_name,
                *(alias.text for alias in agency.aliases.all()),
            ]
            for text in names:
                _claim(claims, text, agency)
        for group in groups:
            for text in [group.name, *(alias.text for alias in group.aliases.all())]:
                _claim(claims, text, group)

        self.ambiguous: dict[str, list[Owner]] = {
            key: owners for key, owners in claims.items() if len(owners) > 1
        }
        self._owners: dict[str, Owner] = {
            key: owners[0] for key, owners in claims.items() if len(owners) == 1
        }
        self._members: dict[int, list[Agency]] = {
            group.pk: [agency for agency in agencies if group.includes(agency)] for group in groups
        }
        keys = sorted(self._owners, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + r")(?!\w)")
            if keys
            else None
        )

    @classmethod
    def load(cls) -> "AgencyRegistry":
        """Read the registry from the database: five queries, whatever its size."""
        agencies = list(Agency.objects.filter(is_active=True).prefetch_related("aliases"))
        groups = list(AgencyGroup.objects.prefetch_related("aliases", "agencies"))
        return cls(agencies, groups)

    def owner(self, text: str) -> Owner | None:
        """The agency or group that a whole name belongs to, if exactly one does."""
        return self._owners.get(name_key(text))

    def members(self, group: AgencyGroup) -> list[Agency]:
        return self._members[group.pk]

    def match(self, text: str) -> Match:
        actors: list[Owner] = []
        for line in text.splitlines():
            for owner in self._actors(name_key(line)):
                if owner not in actors:
                    actors.append(owner)

        agencies = [actor for actor in actors if isinstance(actor, Agency)]
        groups = [actor for actor in actors if isinstance(actor, AgencyGroup)]
        group_members: list[Agency] = []
        for group in groups:
            for agency in self._members[group.pk]:
                if agency not in agencies and agency not in group_members:
                    group_members.append(agency)
        return Match(
            lead=agencies[0] if agencies else None,
            supporting=agencies[1:],
            groups=groups,
            group_members=group_members,
        )

    def _actors(self, key: str) -> list[Owner]:
        """The first name of a clause and the names joined to it."""
        if self._pattern is None:
            return []
        mentions = list(self._pattern.finditer(key))
        if not mentions:
            return []
        chain = [mentions[0]]
        for previous, mention in pairwise(mentions):
            between = key[previous.end() : mention.start()]
            if not set(_WORD.findall(between)) <= CONNECTING_WORDS:
                break
            chain.append(mention)
        return [self._owners[mention.group()] for mention in chain]


def _claim(claims: dict[str, list[Owner]], text: str, owner: Owner) -> None:
    owners = claims.setdefault(name_key(text), [])
    if owner not in owners:
        owners.append(owner)


def match_agencies(text: str, *, registry: AgencyRegistry | None = None) -> Match:
    """Match one text; an import matching many texts loads the registry once and passes it."""
    return (registry or AgencyRegistry.load()).match(text)
