"""Country profiles, the model: a watched country's names (as automaton terms), outlets and
themes, and the scan of a text for its names. ``mediadigest.profile`` reads them from YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import ahocorasick

from mediadigest.matching import Automata, build_automata, normalise, scan_automata
from mediadigest.model import Source

__all__ = [
    "NameEntry",
    "NamePeriod",
    "Outlet",
    "Profile",
    "Term",
    "ThemeSpec",
    "domain_country",
    "host_of",
]

DEFAULT_THEME_THRESHOLD = 1.5  # see analyse/themes.py: about two specific terms in a short text


@dataclass(slots=True)
class Outlet:
    """A news outlet the profile knows: display name, home country (ISO 3166-1), weight."""

    name: str
    country: str | None
    weight: float = 1.0


@dataclass(slots=True, frozen=True, eq=False)  # identity hash: terms key per-article tallies
class Term:
    """One normalised alias in the automaton and what a match on it means."""

    alias: str  # as written in the profile, without the * markers
    key: str  # normalised form the automaton matches
    canonical: str  # what it stands for ("Kazakhstan"); the label for exclusions
    kind: str  # country | place | person | org | ambiguous | exclude | peer
    weight: float = 1.0
    alone: float = 1.0  # factor applied when an ambiguous alias has no unambiguous company
    note: str | None = None  # a person's role, or why an alias is ambiguous
    stem: bool = False  # "Kazakhstan*": any trailing letters (inflection, suffixes)
    infix: bool = False  # "*كازاخستان": any leading letters (clitics like Arabic و، ب)
    cjk: bool = False  # no word boundaries in scripts without spaces

    @property
    def ambiguous(self) -> bool:
        return self.kind == "ambiguous"


@dataclass(slots=True, frozen=True)
class NamePeriod:
    """One name a place, person or organisation bore, with the years it was in use."""

    name: str
    since: int | None = None
    until: int | None = None

    def __str__(self) -> str:
        years = f"{self.since or ''}–{self.until or ''}" if self.since or self.until else ""
        return f"{self.name} ({years})" if years else self.name


@dataclass(slots=True)
class NameEntry:
    """A named thing of the profile: its canonical name, kind, role and names over time."""

    canonical: str
    kind: str  # country | place | person | org
    role: str | None = None
    history: list[NamePeriod] = field(default_factory=list)

    def period_of(self, name: str) -> NamePeriod | None:
        """The period in which ``name`` was this thing's name (None if it never was one)."""
        folded = normalise(name)
        for period in self.history:
            if normalise(period.name) == folded:
                return period
        return None


@dataclass(slots=True)
class ThemeSpec:
    """One theme of the taxonomy: ``strong`` terms are specific, ``weak`` ones count beside them."""

    name: str
    label: str
    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    # The languages a term is listed under (``strong: {tr: [aşı*]}``); none: every language.
    languages: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(eq=False)
class Profile:
    """A watched country: its names in many scripts, outlets, themes and relevance threshold.

    Picklable: the Aho-Corasick automata are built on first use and left out of the pickle,
    so process-pool and Dask workers receive a small object and build their own.
    """

    name: str
    country: str
    country_code: str
    adjective: str
    threshold: float
    terms: list[Term] = field(default_factory=list)
    outlets: dict[str, Outlet] = field(default_factory=dict)
    themes: dict[str, ThemeSpec] = field(default_factory=dict)
    description: str = ""
    source: str = ""
    entries: dict[str, NameEntry] = field(default_factory=dict)  # canonical name -> entry
    theme_threshold: float = DEFAULT_THEME_THRESHOLD
    # What `run` and `collect` start from in a store with no sources of its own.
    sources: list[Source] = field(default_factory=list)
    _automata: Any = field(default=None, init=False, repr=False)
    # Indexes other stages build from the profile on first use (themes, entity patterns);
    # like the automata, left out of the pickle.
    cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def automaton(self) -> ahocorasick.Automaton | None:
        """The automaton over word-bounded aliases (keys " alias"; values ``Term``); None
        when every alias is CJK or "*" infix."""
        return self._build_automata()[0]

    def _build_automata(self) -> Automata:
        if self._automata is None:
            self._automata = build_automata(self.terms)
        return self._automata

    def scan(self, text: str) -> list[tuple[int, int, Term]]:
        """Matches in ``matchable(text)``: (start, end, term), leftmost-longest, no overlaps.

        A "*" stem may run on into more letters; any other alias must end at a word end.
        Longest-first means "Astana Qazaqstan Team" (an exclusion) hides the "Qazaqstan"
        inside it and "Nazarbayev University" is the university, not the ex-president.
        """
        return scan_automata(self._build_automata(), text)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_automata": None, "cache": {}}  # workers build their own

    def outlet_for(self, url_or_domain: str) -> Outlet | None:
        """The outlet for a URL or host, matching domain suffixes ("news.bbc.co.uk" → BBC)."""
        host = host_of(url_or_domain)
        parts = host.split(".")
        for i in range(len(parts) - 1):  # stop before the bare TLD
            outlet = self.outlets.get(".".join(parts[i:]))
            if outlet is not None:
                return outlet
        return None


def host_of(url_or_domain: str) -> str:
    """The host of a URL or domain, lower-case, without "www." or "m.": an outlet's key."""
    value = url_or_domain.strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    else:
        value = value.split("/", 1)[0].split(":", 1)[0]
    value = value.rstrip(".")
    for prefix in ("www.", "m."):
        value = value.removeprefix(prefix)
    return value


# Country-code domains sold to anyone as brands ("news.tv", "app.io", "radio.fm") or not one
# country's ("europa.eu", "site.su"): a site's address there says nothing of its home. Not
# ".am": Armenia's media are there (news.am, armenpress.am).
_VANITY_TLDS = frozenset({
    "ac", "ai", "cc", "cf", "co", "cx", "fm", "ga", "gg", "gl", "gq", "im", "io", "la", "ly",
    "me", "ml", "ms", "nu", "sh", "tk", "to", "tv", "vc", "ws", "eu", "su",
})  # fmt: skip


def domain_country(url_or_domain: str) -> str | None:
    """The country (ISO 3166-1 alpha-2) a site's country-code domain names: ``MY`` for
    thestar.com.my, ``GB`` for bbc.co.uk; None for .com, .org and brand domains (.tv, .io).

    The home country of an outlet the profile does not list: "Malaysia's The Star" is what
    an editor writes, and breadth by country counts it. The profile's own entry wins.
    """
    tld = host_of(url_or_domain).rsplit(".", 1)[-1]
    if len(tld) != 2 or not tld.isascii() or not tld.isalpha() or tld in _VANITY_TLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()
