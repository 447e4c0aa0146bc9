"""What ingest resolves names against (indicator and zone spellings, units and kinds), and the
resolution of a zone's name: its id, or why none (unknown, a near miss with its suggestion, ambiguous)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from zonetrack.indicators import normalise, stored_unit
from zonetrack.ingest.layout import BRACKETS, Layout
from zonetrack.problems import shown


@dataclass
class Vocabulary:
    """What ingest resolves names against: indicator and zone spellings, units and kinds."""

    indicators: dict[str, str]
    zones: dict[str, str]
    units: dict[str, str]
    kinds: dict[str, str]
    layout: Layout
    zone_labels: dict[str, str] = field(default_factory=dict)
    may_be_negative: frozenset[str] = frozenset()
    part_of: dict[str, str] = field(default_factory=dict)  # part indicator → its whole

    @cached_property
    def zone_ids(self) -> pd.Index:
        """Every zone id, sorted: the categories of zone_id throughout ingest."""
        return pd.Index(sorted(set(self.zones.values())), dtype=object)

    @cached_property
    def indicator_ids(self) -> pd.Index:
        """Every indicator id, sorted: the categories of indicator throughout ingest."""
        return pd.Index(sorted(self.units), dtype=object)

    @cached_property
    def zone_cores(self) -> dict[str, set[str]]:
        """Each zone's name stripped of the words analysts add or drop (长沙高新技术产业开发区 → 长沙)."""
        cores: dict[str, set[str]] = {}
        for spelling, zone_id in self.zones.items():
            core = self.layout.zone_core(spelling)
            if core:
                cores.setdefault(core, set()).add(zone_id)
        return cores

    @cached_property
    def core_sounds(self) -> dict[str, str]:
        """Each Chinese zone name's pinyin, without tones."""
        return {c: _sound(c) for c in self.zone_cores if not c.isascii()}

    @cached_property
    def character_weights(self) -> dict[str, float]:
        """How much each character of the zones' Chinese names identifies a zone: log(1 + N / df)."""
        import math

        cores = [set(c) for c in self.zone_cores if not c.isascii()]
        counts: dict[str, int] = {}
        for characters in cores:
            for character in characters:
                counts[character] = counts.get(character, 0) + 1
        return {c: math.log(1 + len(cores) / n) for c, n in counts.items()}

    def stored(self, indicator: str) -> str:
        """The unit the panel stores an indicator in."""
        return stored_unit(self.kinds[indicator], self.units[indicator])


def vocabulary(
    dictionary: pd.DataFrame,
    zone_lookup: dict[str, str],
    indicator_lookup: dict[str, str],
    layout: Layout,
    zone_labels=None,
) -> Vocabulary:
    """Bundle the lookups that resolving a table needs."""
    negative = dictionary.get("may_be_negative", pd.Series("", index=dictionary.index))
    return Vocabulary(
        indicators=indicator_lookup,
        zones=zone_lookup,
        units=dict(zip(dictionary["id"], dictionary["unit"], strict=True)),
        kinds=dict(zip(dictionary["id"], dictionary["kind"], strict=True)),
        layout=layout,
        zone_labels=zone_labels or {},
        may_be_negative=frozenset(dictionary.loc[negative.eq("yes"), "id"]),
        part_of={i: w for i, w in zip(dictionary["id"], dictionary.get("part_of", ""), strict=False) if w},
    )


def resolve_zone(text: str, vocab: Vocabulary) -> tuple[str | None, str]:
    """A zone id for one spelling, or None with the reason (unknown, near miss, ambiguous)."""
    key = normalise(text)
    found = vocab.zones.get(key) or vocab.zones.get(BRACKETS.sub("", key))
    if found:
        return found, ""
    core = vocab.layout.zone_core(text)
    candidates = vocab.zone_cores.get(core, set()) if core else set()
    if len(candidates) == 1 and vocab.layout.marks_zone(key):
        return next(iter(candidates)), ""
    if len(candidates) > 1:
        names = ", ".join(f"{vocab.zone_labels.get(z, z)} ({z})" for z in sorted(candidates))
        return None, f"unknown zone '{shown(text)}': it could be any of {names}; write the zone's full name or id"
    close = closest_cores(core or key, vocab)
    if close:
        named = " or ".join(f"{vocab.zone_labels.get(z, z)} ({z})" for c in close for z in sorted(vocab.zone_cores[c]))
        return None, f"unknown zone '{shown(text)}': did you mean {named}? Correct the name (ingest never guesses)"
    return None, f"unknown zone '{shown(text)}' (not an id, Chinese or English name in zones.csv)"


def _sound(text: str) -> str:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(text))


def closest_cores(core: str, vocab: Vocabulary) -> list[str]:
    """The zone names closest to a misspelt one. A Chinese name typed with a pinyin input method goes
    wrong by a homophone (株州 for 株洲, 湘谭 for 湘潭): a name that sounds the same comes first. Else
    the characters they share, each weighted by how rare it is among the zones' names (株 names one
    zone, 州 many); Latin names by difflib's ratio. Ties are all returned."""
    if not core:
        return []
    if not any(ord(c) > 0x2E80 for c in core):
        return difflib.get_close_matches(core, [c for c in vocab.zone_cores if c.isascii()], n=1, cutoff=0.75)
    sounds_alike = sorted(c for c, sound in vocab.core_sounds.items() if sound == _sound(core))
    if sounds_alike:
        return sounds_alike
    # A name with its county written out (江华瑶族自治县高新区 for 江华高新区): the longest zone name it
    # starts with.
    starts = [c for c in vocab.zone_cores if len(c) >= 2 and not c.isascii() and core.startswith(c)]
    if starts:
        longest = max(len(c) for c in starts)
        return sorted(c for c in starts if len(c) == longest)
    weight = vocab.character_weights
    rarest = max(weight.values(), default=1.0)
    scores = {}
    for candidate in vocab.zone_cores:
        if candidate.isascii():
            continue
        mine, theirs = set(core), set(candidate)
        shared = sum(weight.get(c, rarest) for c in mine & theirs)
        union = sum(weight.get(c, rarest) for c in mine | theirs)
        scores[candidate] = shared / union if union else 0.0
    best = max(scores.values(), default=0.0)
    if best < 0.3:
        return []
    return sorted(c for c, v in scores.items() if v >= best - 1e-9)


def resolve_zones(values: pd.Series, vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Zone id (or None) and the reason it is unknown, for each value; each distinct spelling once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    resolved = [resolve_zone(u, vocab) for u in uniques]
    ids = np.array([r[0] for r in resolved] + [None], dtype=object)
    reasons = np.array([r[1] for r in resolved] + ["a data row without a zone name"], dtype=object)
    return ids[codes], reasons[codes]
