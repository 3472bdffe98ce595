"""Unit names as offices write them, matched to a jurisdiction's registry.

Names are compared accent- and case-insensitively after the usual abbreviations
are expanded (UBND, MTTQ, HĐND, LĐLĐ, BCH, BTV, TU, Hội LHPN, Hội ND, Hội CCB,
Bộ CHQS, Đoàn TN ...), with the province's own name, "Việt Nam" and a closing
"tỉnh" left out; a department may be written by its initials (Sở GD&ĐT), a
locality by its name alone when only one unit has it, a locality's People's
Committee or Party committee by the locality ("UBND huyện Kim Sơn", "Huyện ủy
Kim Sơn": the district). A name that fits two units is never settled silently:
it comes back ambiguous, with both.

>>> from dirtrack.registry import Registry, Unit
>>> reg = Registry([Unit("pc", "Ban Thường vụ Tỉnh ủy Ninh Bình", "province", "party"),
...                 Unit("ff", "Ủy ban MTTQ Việt Nam tỉnh Ninh Bình", "province", "front", "pc"),
...                 Unit("edu", "Sở Giáo dục và Đào tạo", "province", "government", "pc"),
...                 Unit("ks", "Huyện Kim Sơn", "district", "government", "pc")])
>>> m = UnitMatcher(reg, "Tỉnh Ninh Bình")
>>> [(x.kind, x.units) for x in m.mentions("BTV TU; MTTQ tỉnh, Sở GD&ĐT và UBND huyện Kim Sơn")]
[('unit', ('pc',)), ('unit', ('ff',)), ('unit', ('edu',)), ('unit', ('ks',))]
>>> [(x.kind, x.level) for x in m.mentions("UBND các huyện, thành phố")]
[('fan-out', 'district')]
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from dirtrack.imports.text import Token, fold, tokens, words_of
from dirtrack.registry import Registry

LOCALITY = {  # the words that name a locality, and the level they belong to
    ("xa",): "commune", ("phuong",): "commune", ("thi", "tran"): "commune",
    ("dac", "khu"): "commune", ("huyen",): "district", ("thanh", "pho"): "district",
    ("thi", "xa"): "district", ("quan",): "district",
}
PARTY_OF = {("huyen", "uy"): ("huyen",), ("thanh", "uy"): ("thanh", "pho"),
            ("thi", "uy"): ("thi", "xa"), ("quan", "uy"): ("quan",)}
GOVERNING = [("uy", "ban", "nhan", "dan"), ("dang", "uy"), ("ban", "thuong", "vu"),
             ("cap", "uy"), ("thuong", "truc"), ("chinh", "quyen"), ("hoi", "dong", "nhan", "dan")]
VAGUE = {"so", "ban", "nganh", "co", "quan", "don", "vi", "lien", "dia", "phuong", "doan",
         "the", "to", "chuc", "hoi", "tinh", "thanh", "vien", "va", "huu", "cac", "cap",
         "nang", "tham", "muu", "giup", "viec", "khac"}
UNIONS = ("to", "chuc", "chinh", "tri", "xa", "hoi")


@dataclass(frozen=True)
class Mention:
    """What one stretch of a cell names: ``unit`` (``units`` holds the one id),
    ``unions`` (the socio-political organisations), ``fan-out`` (every unit of
    ``level``, inside ``scope``), ``vague`` ("các sở, ban, ngành liên quan"),
    ``ambiguous`` (``units`` holds the candidates) or ``unknown``."""

    kind: str
    text: str
    units: tuple[str, ...] = ()
    level: str | None = None
    scope: str | None = None


class UnitMatcher:
    """Finds the units a cell names in one jurisdiction's registry."""

    def __init__(self, registry: Registry, jurisdiction_name: str,
                 on: date | None = None, units_file: str = "units.yaml") -> None:
        self.registry = registry
        self.on = on
        self.units_file = units_file  # where messages send the reader to find the names
        place = fold(jurisdiction_name).split()
        self.place = tuple(place[1:] if place[:1] == ["tinh"] else
                           place[2:] if place[:2] == ["thanh", "pho"] else place)
        self.by_key: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.by_initials: dict[str, set[str]] = defaultdict(set)
        self.aliases: dict[str, set[tuple[str, ...]]] = {}
        for unit in registry.units.values():
            self.aliases[unit.id] = self._aliases(unit.name)
            for alias in self.aliases[unit.id]:
                self.by_key[alias].add(unit.id)
            words = self.key(words_of(tokens(unit.name)))
            if words[:1] == ("so",) and len(words) > 2:
                initials = "".join(w[0] for w in words[1:] if w != "va")
                self.by_initials[initials].add(unit.id)

    def key(self, words: list[str]) -> tuple[str, ...]:
        """Return the words a name is compared by (see the module's description)."""
        w = [x for x in words]
        for i in range(len(w) - 1):  # "Việt Nam" is left out
            if w[i:i + 2] == ["viet", "nam"]:
                w[i:i + 2] = ["", ""]
        w = [x for x in w if x]
        n = len(self.place)
        if n and tuple(w[-n:]) == self.place and not self._is_locality(w[:-n]):
            w = w[:-n]
        if len(w) > 1 and w[-1] == "tinh":
            w = w[:-1]
        for governing in GOVERNING[:2]:  # UBND huyện X, Đảng ủy xã X: the locality X
            g = len(governing)
            if tuple(w[:g]) == governing and self._locality_word(w[g:]):
                w = w[g:]
        for party, locality in PARTY_OF.items():
            if tuple(w[:2]) == party and len(w) > 2:
                w = [*locality, *w[2:]]
        return tuple(w)

    def _aliases(self, name: str) -> set[tuple[str, ...]]:
        whole = self.key(words_of(tokens(name)))
        inner = ""
        if "(" in name and name.rstrip().endswith(")"):
            name, inner = name.split("(", 1)
            inner = inner.rstrip().rstrip(")")
        base = self.key(words_of(tokens(name)))
        found = {base, whole}
        if inner:
            found.add(self.key(words_of(tokens(inner))))
        if len(base) > 2 and base[-2:] == ("tinh", "uy"):
            found.add(base[:-2])
        if base[:2] == ("uy", "ban") and base[2:4] == ("mat", "tran"):
            found.add(base[2:])
        for alias in list(found):  # Đoàn TNCS Hồ Chí Minh is written "Đoàn TN" too
            if alias[:6] == ("doan", "thanh", "nien", "cong", "san", "ho"):
                found.add(("doan", "thanh", "nien"))
        locality = self._locality_word(list(base))
        if locality and len(base) > len(locality):
            found.add(base[len(locality):])  # the locality's name alone
        return found

    @staticmethod
    def _locality_word(words: list[str]) -> tuple[str, ...] | None:
        for size in (2, 1):
            if tuple(words[:size]) in LOCALITY:
                return tuple(words[:size])
        return None

    def _is_locality(self, words: list[str]) -> bool:
        word = self._locality_word(words)
        return word is not None and len(word) == len(words)

    def mentions(self, text: str) -> list[Mention]:
        """Return what ``text`` names, left to right: the longest stretch that names
        something wins, separators (comma, "và", line break) split the rest."""
        toks = tokens(text)
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            if toks[i].separator:
                i += 1
                continue
            found = None
            for j in range(len(toks), i, -1):
                if toks[j - 1].separator or (j < len(toks) and not toks[j].separator):
                    continue
                found = self._name(toks[i:j], text)
                if found is not None:
                    i = j
                    break
            if found is None:
                k = self._unknown_end(toks, i, text)
                found = self._unknown(toks[i:k], text)
                i = k
            out.append(found)
        return out

    def _unknown_end(self, toks: list[Token], i: int, text: str) -> int:
        """Return where a stretch naming nothing ends: at the next comma, semicolon or
        line, or earlier at a "và" or dash after which a known name begins."""
        for k in range(i + 1, len(toks)):
            if toks[k].separator and not toks[k].soft:
                return k
            if toks[k].soft and k + 1 < len(toks) and any(
                    self._name(toks[k + 1:j], text) is not None
                    for j in range(len(toks), k + 1, -1)
                    if not toks[j - 1].separator and (j == len(toks) or toks[j].separator)):
                return k
        return len(toks)

    def _name(self, toks: list[Token], text: str) -> Mention | None:
        shown = " ".join(text[toks[0].start:toks[-1].end].split())
        words = words_of(toks)
        fan = self._fan_out(words, text, toks)
        if fan is not None:
            return fan
        plain = [w for w in words if w != "cac"]
        rest = tuple(plain[len(UNIONS):])
        if tuple(plain[:len(UNIONS)]) == UNIONS and rest in ((), ("tinh",), self.place,
                                                             ("tinh", *self.place)):
            units = tuple(u.id for u in self.registry.units.values()
                          if u.kind == "union" and u.level == "province" and self._exists(u.id))
            return Mention("unions", shown, units)
        if words[:1] == ["cac"] and set(words) <= VAGUE:
            return Mention("vague", shown)
        ids = self.by_key.get(self.key(words), set())
        if not ids and words[:1] == ["so"] and len(words) > 1:
            ids = self.by_initials.get("".join(w for w in words[1:] if w != "va"), set())
        if not ids and len(toks) == 1 and text[toks[0].start:toks[0].end] in self.registry:
            ids = {text[toks[0].start:toks[0].end]}
        if len(ids) == 1:
            return Mention("unit", shown, tuple(ids))
        if len(ids) > 1:
            return Mention("ambiguous", shown, tuple(sorted(ids)))
        return None

    def _fan_out(self, words: list[str], text: str, toks: list[Token]) -> Mention | None:
        """Return a fan-out for "các xã, phường", "UBND các huyện, thành phố", "cấp xã",
        "Đảng ủy các xã thuộc huyện Kim Sơn"; None for anything else."""
        w = list(words)
        for governing in GOVERNING:
            if tuple(w[:len(governing)]) == governing:
                w = w[len(governing):]
                break
        if w[:1] not in (["cac"], ["cap"]):
            return None
        w = w[1:]
        scope = None
        if "thuoc" in w:
            at = w.index("thuoc")
            rest = self.key(w[at + 1:])
            ids = self.by_key.get(rest, set())
            if len(ids) != 1:
                return None
            scope = next(iter(ids))
            w = w[:at]
        levels = set()
        while w:
            if w[0] in ("va", "cac"):
                w = w[1:]
                continue
            party = next((loc for p, loc in PARTY_OF.items() if tuple(w[:2]) == p), None)
            size = 2 if party else (len(self._locality_word(w) or ()) or 0)
            if not size:
                return None
            levels.add(LOCALITY[party or tuple(w[:size])])
            w = w[size:]
        if len(levels) != 1:
            return None
        shown = " ".join(text[toks[0].start:toks[-1].end].split())
        return Mention("fan-out", shown, level=levels.pop(), scope=scope)

    def _exists(self, unit_id: str) -> bool:
        return self.on is None or self.registry.exists_on(unit_id, self.on)

    def _unknown(self, toks: list[Token], text: str) -> Mention:
        shown = " ".join(text[toks[0].start:toks[-1].end].split())
        return Mention("unknown", shown)

    def suggestions(self, text: str, n: int = 2) -> list[str]:
        """Return the names of the units closest to ``text``, closest first: by shared
        words, then by spelling."""
        wanted = self.key(words_of(tokens(text)))
        scored = []
        for unit in self.registry.units.values():
            best = 0.0
            for key in self.aliases[unit.id]:
                shared = len(set(key) & set(wanted)) / max(len(set(key) | set(wanted)), 1)
                spelled = difflib.SequenceMatcher(None, " ".join(key), " ".join(wanted)).ratio()
                if shared >= 0.3 or spelled >= 0.75:
                    best = max(best, shared + spelled)
            if best:
                scored.append((-best, unit.name))
        return [name for _, name in sorted(scored)[:n]]

    def describe(self, unit_id: str) -> str:
        """Return a unit as messages show it: 'Sở Nội vụ' (home-affairs)."""
        return f"'{self.registry[unit_id].name}' ({unit_id})"

    def level_units(self, level: str, scope: str | None) -> list[str]:
        """Return the ids of the units of ``level`` (inside ``scope``) that exist on the
        issue date."""
        return [u.id for u in self.registry.units_at_level(level, scope, self.on)]
