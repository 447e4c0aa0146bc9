"""The indicator dictionary, units and number formats of the raw statistics."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

# Units convert within a dimension to the dictionary's canonical unit. 亿 = 10^8, 万 = 10^4.
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "千元": ("money", 1e3),
    "万元": ("money", 1e4),
    "百万元": ("money", 1e6),
    "亿元": ("money", 1e8),
    "人": ("people", 1.0),
    "万人": ("people", 1e4),
    # Counters differ by the thing counted (家 for firms, 个 for carriers, 支 for funds) but all
    # count units, so one converts to another with factor 1.
    "个": ("count", 1.0),
    "家": ("count", 1.0),
    "件": ("count", 1.0),
    "支": ("count", 1.0),
    "项": ("count", 1.0),
    "所": ("count", 1.0),
}
KIND_DIMENSION = {"amount": "money", "population": "people", "count": "count"}
MISSING_TOKENS = frozenset({"", "-", "—", "——", "–", "/", "－", "／", "nan", "NaN", "<NA>"})
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*[(\[](?P<unit>[^()\[\]]+)[)\]]\s*$")


def normalise(text: object) -> str:
    """A name reduced for matching: NFKC (full-width to ASCII), no spaces, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"\s+", "", folded)


def load_dictionary(path: Path) -> pd.DataFrame:
    """Read and validate the indicator dictionary (id, name_zh, name_en, unit, kind, aliases)."""
    dictionary = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    required = {"id", "name_zh", "name_en", "unit", "kind", "aliases"}
    missing = required - set(dictionary.columns)
    if missing:
        raise ValueError(f"{path}: indicator dictionary lacks columns {sorted(missing)}")
    bad_kind = dictionary.loc[~dictionary["kind"].isin(list(KIND_DIMENSION)), "id"]
    if len(bad_kind):
        raise ValueError(f"{path}: unknown kind for {list(bad_kind)}; use {list(KIND_DIMENSION)}")
    bad_unit = dictionary.loc[
        [
            UNITS.get(u, ("?",))[0] != KIND_DIMENSION[k]
            for u, k in zip(dictionary["unit"], dictionary["kind"], strict=True)
        ],
        "id",
    ]
    if len(bad_unit):
        raise ValueError(f"{path}: canonical unit does not fit the kind for {list(bad_unit)}")
    if dictionary["id"].duplicated().any():
        raise ValueError(f"{path}: duplicate ids {list(dictionary.loc[dictionary['id'].duplicated(), 'id'])}")
    return dictionary


def name_lookup(dictionary: pd.DataFrame) -> dict[str, str]:
    """Map every spelling (id, Chinese and English name, alias) to the indicator id."""
    lookup: dict[str, str] = {}
    for row in dictionary.itertuples(index=False):
        names = [row.id, row.name_zh, row.name_en, *str(row.aliases).split("|")]
        for name in names:
            key = normalise(name)
            if not key:
                continue
            if lookup.get(key, row.id) != row.id:
                raise ValueError(f"indicator dictionary: '{name}' names both {lookup[key]} and {row.id}")
            lookup[key] = row.id
    return lookup


def split_header_unit(header: str) -> tuple[str, str | None]:
    """Split a header such as ``技术合同成交额(万元)`` into name and unit."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    match = _HEADER_UNIT.match(text)
    if match is None:
        return text, None
    return match.group("name").strip(), match.group("unit").strip()


def unit_factor(unit: str | None, canonical: str) -> float | None:
    """The factor from ``unit`` to ``canonical``; None when it cannot convert."""
    if unit is None or unit == "":
        return 1.0
    unit = unicodedata.normalize("NFKC", unit).strip()
    source, target = UNITS.get(unit), UNITS.get(canonical)
    if source is None or target is None or source[0] != target[0]:
        return None
    return source[1] / target[1]


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers written as ``1,234.5``, ``1.2万`` or plain; return (values, unparseable mask).

    Blank cells and the missing markers (``-``, ``—``, ``/``) become NaN and are not errors:
    missing means missing, never zero.
    """
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.astype("float64")
        return values, pd.Series(False, index=raw.index)
    text = raw.astype("string").str.strip()
    missing = text.isna() | text.isin(MISSING_TOKENS)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    needs_work = values.isna() & ~missing
    if needs_work.any():
        rest = (
            text[needs_work].str.normalize("NFKC").str.replace(",", "", regex=False).str.replace(" ", "", regex=False)
        )
        suffix = rest.str[-1]
        factor = suffix.map(_MULTIPLIERS).astype("float64")
        body = rest.where(factor.isna(), rest.str[:-1])
        parsed = pd.to_numeric(body, errors="coerce").astype("float64") * factor.fillna(1.0)
        values = values.where(~needs_work, parsed)
    values = values.where(np.isfinite(values))
    bad = values.isna() & ~missing
    return values, bad
