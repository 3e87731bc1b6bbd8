"""Who acts in an action text: the doer of each bullet leads it, the others named support.

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
- Each line's first actor leads it; the others of its clause support. Where the bullets have
  different doers, each leads its own (4.4: Văn phòng UBND tỉnh one bullet, Sở Nội vụ two).
  A group may lead: it stands for its members, each doing its own part ("UBND cấp huyện rà
  soát …": each district leads for its district).
- A line whose doer only oversees the others ("Sở Nội vụ theo dõi, kiểm tra …", "Sở Tài chính
  thường xuyên kiểm tra việc thực hiện …") makes it a supporter, when another line has a
  doer: in 5.2.2 the public service units recruit and lead, Sở Nội vụ monitors. A line that
  opens with "phối hợp" ("Đơn vị phối hợp: …" of section II) names only supporters.
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


# The words that open a line in which the doer only oversees the others' work.
OVERSIGHT_OPENINGS = tuple(
    name_key(words) for words in ("theo dõi", "giám sát", "thường xuyên kiểm tra việc thực hiện")
)


# Words before the first name that make every actor of the line a supporter.
SUPPORT_LINE = name_key("phối hợp")


@dataclass(frozen=True)
class Match:
    """The agencies and groups an action text puts to work, leading or supporting."""

    leads: list[Agency] = field(default_factory=list)
    lead_groups: list[AgencyGroup] = field(default_factory=list)
    supporting: list[Agency] = field(default_factory=list)
    groups: list[AgencyGroup] = field(default_factory=list)
    # Members of the groups named, other than the agencies named themselves.
    group_members: list[Agency] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        """Whether the text names any agency or group of the registry."""
        return bool(self.leads or self.lead_groups or self.supporting or self.groups)

    @property
    def has_lead(self) -> bool:
        return bool(self.leads or self.lead_groups)

    @property
    def lead(self) -> Agency | None:
        """The first lead agency, if any."""
        return self.leads[0] if self.leads else None


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
        leading: list[Owner] = []
        overseeing: list[Owner] = []
        others: list[Owner] = []
        for line in text.splitlines():
            key = name_key(line)
            actors, before, rest = self._actors(key)
            if not actors:
                continue
            if SUPPORT_LINE in before:  # "Đơn vị phối hợp: …": every actor supports
                others.extend(actors)
                continue
            doer, *helpers = actors
            oversees = rest.lstrip(" -,").startswith(OVERSIGHT_OPENINGS)
            (overseeing if oversees else leading).append(doer)
            others.extend(helpers)
        if not leading:
            leading, overseeing = overseeing, []
        leads = _unique(leading)
        supporters = [owner for owner in _unique(overseeing + others) if owner not in leads]
        named = leads + supporters
        group_members: list[Agency] = []
        for group in (owner for owner in named if isinstance(owner, AgencyGroup)):
            for agency in self._members[group.pk]:
                if agency not in named and agency not in group_members:
                    group_members.append(agency)
        return Match(
            leads=[owner for owner in leads if isinstance(owner, Agency)],
            lead_groups=[owner for owner in leads if isinstance(owner, AgencyGroup)],
            supporting=[owner for owner in supporters if isinstance(owner, Agency)],
            groups=[owner for owner in supporters if isinstance(owner, AgencyGroup)],
            group_members=group_members,
        )

    def _actors(self, key: str) -> tuple[list[Owner], str, str]:
        """The first name of a clause and the names joined to it, the words before them and
        the words after them."""
        if self._pattern is None:
            return [], "", ""
        mentions = list(self._pattern.finditer(key))
        if not mentions:
            return [], "", ""
        chain = [mentions[0]]
        for previous, mention in pairwise(mentions):
            between = key[previous.end() : mention.start()]
            if not set(_WORD.findall(between)) <= CONNECTING_WORDS:
                break
            chain.append(mention)
        actors = [self._owners[mention.group()] for mention in chain]
        return actors, key[: chain[0].start()], key[chain[-1].end() :]


def _unique(owners: list[Owner]) -> list[Owner]:
    return list(dict.fromkeys(owners))


def _claim(claims: dict[str, list[Owner]], text: str, owner: Owner) -> None:
    owners = claims.setdefault(name_key(text), [])
    if owner not in owners:
        owners.append(owner)


def match_agencies(text: str, *, registry: AgencyRegistry | None = None) -> Match:
    """Match one text; an import matching many texts loads the registry once and passes it."""
    return (registry or AgencyRegistry.load()).match(text)
