"""Country profiles: load and validate the YAML that names a country, its outlets and themes."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mediadigest.errors import ProfileError
from mediadigest.matching import is_cjk, key_form, matchable, normalise, spelling_variants
from mediadigest.model import Source
from mediadigest.profile_model import (
    DEFAULT_THEME_THRESHOLD,
    NameEntry,
    NamePeriod,
    Outlet,
    Profile,
    Term,
    ThemeSpec,
    host_of,
)

__all__ = ["NameEntry", "NamePeriod", "Outlet", "Profile", "Term", "ThemeSpec"]
__all__ += ["available_profiles", "load_profile"]
__all__ += ["matchable", "normalise"]

# Section of the YAML -> kind of the hits its aliases give.
SECTIONS = {"names": "country", "places": "place", "people": "person", "organisations": "org"}
REQUIRED = ("name", "country", "country_code", "adjective", "threshold", "names")
OPTIONAL = ("description", *SECTIONS, "exclude", "peers", "outlets", "themes", "theme_threshold")
OPTIONAL += ("sources",)
SOURCE_KINDS = ("feed", "sitemap", "urllist", "page")
DEFAULT_ALONE = 0.1  # an ambiguous alias with nothing unambiguous beside it counts 10%
# Aliases are plain text (see matching.py): "Georgi(a|an)" would match only those very
# characters, i.e. nothing. "." and "+" stay allowed on their own ("Kaspi.kz", "C5+1").
_REGEX_SYNTAX = re.compile(r"[|\\^$()\[\]{}?]|\.[*+?]")
_ISO_ALPHA2 = re.compile(r"[A-Z]{2}")
OUTLET_KEYS = ("name", "country", "weight")
MIN_STEM = 3  # "R*" matched every word starting with r: every article was relevant
# English function words, which no name is. Not stopwords-iso's English list, which holds
# "us", "uk" and "un" (names in capitals), nor scikit-learn's, which ``articles`` and the
# other quick commands would import (seconds) to load a profile.
_ENGLISH_STOP = """a about above after against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself me more most my myself no nor not of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up upon very was
    we were what when where which while who whom whose why will with within without would you
    your yours yourself yourselves"""
_ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP.split())


def available_profiles() -> list[str]:
    """Names of the profiles shipped with mediadigest (``load_profile`` accepts each)."""
    folder = resources.files("mediadigest").joinpath("profiles")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
_MERGE = "tag:yaml.org,2002:merge"


class _DuplicateKey(yaml.MarkedYAMLError):
    def __init__(self, key: Any, node: yaml.Node, first: yaml.Node) -> None:
        line = first.start_mark.line + 1
        super().__init__(problem=f"key {key!r} is given twice (first at line {line})",
                         problem_mark=node.start_mark)  # fmt: skip
        self.line = node.start_mark.line + 1


class _Loader(_BASE_LOADER):
    """Safe loading that refuses a key given twice in one mapping.

    PyYAML keeps the last of two equal keys, so a second ``Erdenet:`` under ``places`` threw
    the first entry's aliases away without a word; YAML itself requires keys to be unique.
    """

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            # Before merge keys are flattened: a key may override one that ``<<`` brings in.
            first: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node)
                if key in first:
                    raise _DuplicateKey(key, key_node, first[key])
                first[key] = key_node
        return super().construct_mapping(node, deep=deep)


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name ("kazakhstan") or any profile YAML file by path."""
    source, text = _read(name_or_path)
    try:
        data = yaml.load(text, Loader=_Loader)
    except _DuplicateKey as exc:
        raise ProfileError(f"profile {source}: line {exc.line}: {exc.problem}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and _tab_indented(text, mark.line, mark.column):
            raise ProfileError(
                f"profile {source}: invalid YAML at line {mark.line + 1}: tabs are not allowed "
                "for indentation; indent with spaces"
            ) from exc
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProfileError(f"profile {source}: invalid YAML{where}: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"profile {source}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"profile {source}: expected a mapping of keys at the top level")
    return _build(data, source)


def _tab_indented(text: str, line: int, column: int) -> bool:
    """Whether the YAML error at ``line``, ``column`` is a tab in the line's indentation.

    PyYAML says only "found character that cannot start any token" for a tab-indented line
    (or, inside a block, "a tab character that violates indentation"); YAML forbids tabs
    there, and an editor shows them as spaces, so the message must say which line has one.
    """
    lines = text.splitlines()
    if line >= len(lines):
        return False
    before = lines[line][: column + 1]  # up to the character the parser stopped at
    return "\t" in before and not before.strip(" \t-?:")  # only indentation and "- " marks


def _read(name_or_path: str | Path) -> tuple[str, str]:
    name = str(name_or_path)
    if isinstance(name_or_path, Path) or any(s in name for s in ("/", "\\", ".yaml", ".yml")):
        try:
            return name, Path(name).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ProfileError(f"profile {name}: file not found") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"profile {name}: cannot read ({exc})") from exc
    resource = resources.files("mediadigest").joinpath("profiles", f"{name}.yaml")
    if not resource.is_file():
        known = ", ".join(available_profiles())
        raise ProfileError(f"unknown profile {name!r}: shipped are {known}; or give a YAML path")
    return name, resource.read_text(encoding="utf-8")


def _build(data: dict[str, Any], source: str) -> Profile:
    check = _Checker(source)
    check.keys(data, (*REQUIRED, *OPTIONAL), "top level")
    if missing := [key for key in REQUIRED if key not in data]:
        raise ProfileError(f"profile {source}: missing required key {missing[0]!r}")
    builder = _TermBuilder(check)
    terms = builder.build(data)
    return Profile(
        name=check.text(data["name"], "name"),
        country=check.text(data["country"], "country"),
        country_code=check.country_code(data["country_code"], "country_code"),
        adjective=check.text(data["adjective"], "adjective"),
        threshold=_threshold(data["threshold"], check),
        terms=terms,
        entries=builder.entries,
        theme_threshold=check.number(
            data.get("theme_threshold", DEFAULT_THEME_THRESHOLD), "theme_threshold"
        ),
        outlets=_outlets(data.get("outlets") or {}, check),
        themes=_themes(data.get("themes") or {}, check),
        description=check.text(data.get("description") or "", "description"),
        source=source,
        sources=_sources(data.get("sources") or [], check),
    )


def _threshold(value: Any, check: _Checker) -> float:
    threshold = check.number(value, "threshold")
    if threshold <= 0:
        # An article that names nothing of the country scores 0: it would be relevant.
        raise check.fail(
            "threshold",
            f"{value!r} would make every article relevant: give a score above 0 (2.0 is the "
            "country named once in the lead)",
        )
    return threshold


class _Checker:
    """Type checks that raise ProfileError naming the file and the dotted key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ProfileError:
        return ProfileError(f"profile {self.source}: {where}: {problem}")

    def keys(self, value: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
        if unknown := sorted(set(value) - set(allowed), key=str):
            expected = ", ".join(dict.fromkeys(allowed))  # "names" is required and a section
            raise self.fail(where, f"unknown key {unknown[0]!r} (expected: {expected})")

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, got {type(value).__name__} {value!r}")
        return value

    def country_code(self, value: Any, where: str) -> str:
        """An ISO 3166-1 alpha-2 code, upper-cased: the digest compares it with outlets'."""
        if isinstance(value, bool):  # YAML 1.1 reads Norway's NO as false
            got = str(value).lower()
            raise self.fail(where, f"got {got}, not a code: quote it ('NO'; unquoted, NO is false)")
        code = self.text(value, where).strip().upper()
        if not _ISO_ALPHA2.fullmatch(code):
            raise self.fail(
                where, f"{value!r} is not an ISO 3166-1 alpha-2 code (two letters, as GE)"
            )
        return code

    def number(
        self, value: Any, where: str, *, low: float | None = None, high: float | None = None
    ) -> float:
        """A finite number, within ``low``..``high`` where given (a negative weight or an
        ``alone`` of 7 read as scores no article should get, and NaN made nothing relevant)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, got {type(value).__name__} {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(where, f"expected a finite number, got {value!r}")
        if (low is not None and number < low) or (high is not None and number > high):
            span = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}"
            raise self.fail(where, f"{value!r} is out of range: give a number {span}")
        return number

    def mapping(self, value: Any, where: str) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def strings(
        self, value: Any, where: str, language: str | None = None, *, names: bool = False
    ) -> list[str]:
        """A list of strings, or a mapping of language -> list of strings (flattened).

        ``names``: they are names (aliases, exclusions, peers), which may not be stop words;
        a theme's terms may ("show" is a culture term), as they only count beside the country.
        """
        if isinstance(value, dict):
            return [
                s
                for lang, items in value.items()
                for s in self.strings(items, f"{where}.{lang}", str(lang), names=names)
            ]
        if isinstance(value, str) or not isinstance(value, list):
            raise self.fail(where, f"expected a list of strings, got {type(value).__name__}")
        for item in value:
            if not isinstance(item, str):
                kind = type(item).__name__
                raise self.fail(where, f"expected text, got {kind} {item!r} (quote it in YAML)")
            self.alias(item, where, language if names else None, names=names)
        return value

    def alias(
        self, item: str, where: str, language: str | None = None, *, names: bool = False
    ) -> None:
        """An alias or theme term that can match something, and not everything."""
        if "*" in item.strip().strip("*"):
            raise self.fail(where, f"{item!r}: '*' may only start or end an alias")
        if _REGEX_SYNTAX.search(item):
            raise self.fail(
                where,
                f"alias {item!r} looks like a regular expression, but aliases are plain text: list "
                "each spelling as an alias, and end a stem with * (Georgia* matches Georgian)",
            )
        if not any(c.isalnum() for c in item):
            # Its key would be a space or a mark: a match at every word of every article.
            raise self.fail(
                where, f"alias {item!r} has no letter or digit, so it would match anywhere"
            )
        text = item.strip()
        bare = text.strip("*").strip()
        if text != bare and not is_cjk(bare[0]) and sum(c.isalnum() for c in bare) < MIN_STEM:
            raise self.fail(
                where,
                f"alias {item!r} is a stem of fewer than {MIN_STEM} letters, so it would match "
                "a word of almost every article: write the name out",
            )
        if names and text == bare and bare.casefold() in _stop_words(language):
            lang = f"a {language} stop word" if language else "an English stop word"
            raise self.fail(
                where,
                f"alias {item!r} is {lang}, so it would match almost every article "
                "(list it under the language it is a name in, if it is one)",
            )


@functools.lru_cache(maxsize=32)
def _stop_words(language: str | None) -> frozenset[str]:
    """The stop words an alias listed under ``language`` may not be: English function words
    for English or a list without languages, stopwords-iso's list otherwise."""
    import stopwordsiso  # here: only a profile with aliases in other languages needs it

    code = (language or "en").split("-")[0].casefold()
    if code == "en":
        return _ENGLISH_STOP_WORDS
    return (
        frozenset(w.casefold() for w in stopwordsiso.stopwords(code))
        if stopwordsiso.has_lang(code)
        else frozenset()
    )


def _outlets(raw: Any, check: _Checker) -> dict[str, Outlet]:
    outlets: dict[str, Outlet] = {}
    for domain, spec in check.mapping(raw, "outlets").items():
        where = f"outlets.{domain}"
        spec = check.mapping(spec, where)
        # A typo ("contry: GE") read as no country counted the home outlet as foreign.
        check.keys(spec, OUTLET_KEYS, where)
        country = spec.get("country")
        if country is not None:
            country = check.country_code(country, f"{where}.country")
        outlets[host_of(check.text(domain, where))] = Outlet(
            name=check.text(spec.get("name"), f"{where}.name"),
            country=country,
            weight=check.number(spec.get("weight", 1.0), f"{where}.weight", low=0, high=10),
        )
    return outlets


def _sources(raw: Any, check: _Checker) -> list[Source]:
    """``- https://…/feed`` or ``- {url, title, kind}`` (kind: feed by default)."""
    if not isinstance(raw, list):
        raise check.fail("sources", f"expected a list, got {type(raw).__name__}")
    found: list[Source] = []
    for i, item in enumerate(raw):
        where = f"sources[{i}]"
        spec = {"url": item} if isinstance(item, str) else check.mapping(item, where)
        check.keys(spec, ("url", "title", "kind"), where)
        url = check.text(spec.get("url"), f"{where}.url").strip()
        if not url.lower().startswith(("http://", "https://")):
            raise check.fail(f"{where}.url", f"{url!r} is not an http(s) address")
        kind = check.text(spec.get("kind", "feed"), f"{where}.kind")
        if kind not in SOURCE_KINDS:
            raise check.fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}")
        title = spec.get("title")
        title = check.text(title, f"{where}.title") if title is not None else None
        if any(s.url == url for s in found):
            raise check.fail(where, f"{url} is listed twice")
        found.append(Source(url=url, kind=kind, title=title))
    return found


def _themes(raw: Any, check: _Checker) -> dict[str, ThemeSpec]:
    """``name: [terms]`` (all strong) or ``name: {label, strong, weak}``, terms per language."""
    themes: dict[str, ThemeSpec] = {}
    for name, spec in check.mapping(raw, "themes").items():
        name = check.text(name, "themes")
        where = f"themes.{name}"
        if not isinstance(spec, dict):
            themes[name] = ThemeSpec(name, name, strong=list(check.strings(spec, where)))
            continue
        check.keys(spec, ("label", "strong", "weak"), where)
        languages: dict[str, set[str]] = {}
        for tier in ("strong", "weak"):
            value = spec.get(tier) or []
            for lang, items in value.items() if isinstance(value, dict) else ():
                for term in check.strings(items, f"{where}.{tier}.{lang}"):
                    languages.setdefault(term, set()).add(str(lang))
        themes[name] = ThemeSpec(
            name,
            check.text(spec.get("label", name), f"{where}.label"),
            strong=list(check.strings(spec.get("strong") or [], f"{where}.strong")),
            weak=list(check.strings(spec.get("weak") or [], f"{where}.weak")),
            languages={term: frozenset(langs) for term, langs in languages.items()},
        )
    return themes


def _history(raw: Any, check: _Checker, where: str) -> list[NamePeriod]:
    """``[{name: Tselinograd, since: 1961, until: 1992}, ...]``: the names over time."""
    if not isinstance(raw, list):
        raise check.fail(where, f"expected a list of names with years, got {type(raw).__name__}")
    periods = []
    for i, item in enumerate(raw):
        spec = check.mapping(item, f"{where}[{i}]")
        check.keys(spec, ("name", "since", "until"), f"{where}[{i}]")
        years = [spec.get(k) for k in ("since", "until")]
        for key, year in zip(("since", "until"), years, strict=True):
            if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
                raise check.fail(f"{where}[{i}].{key}", f"expected a year, got {year!r}")
        periods.append(NamePeriod(check.text(spec.get("name"), f"{where}[{i}].name"), *years))
    return periods


class _TermBuilder:
    """Turns the name sections, ``exclude`` and ``peers`` into automaton terms."""

    def __init__(self, check: _Checker) -> None:
        self.check = check
        self.terms: dict[str, Term] = {}
        self.origin: dict[str, str] = {}  # key -> where it was declared, for conflict messages
        self.entries: dict[str, NameEntry] = {}

    def build(self, data: dict[str, Any]) -> list[Term]:
        for section, kind in SECTIONS.items():
            entries = self.check.mapping(data.get(section) or {}, section)
            for canonical, entry in entries.items():
                self._entry(str(canonical), kind, entry, f"{section}.{canonical}")
        if not any(t.kind == "country" for t in self.terms.values()):
            raise self.check.fail("names", "at least one unambiguous name of the country is needed")
        for label, aliases in self.check.mapping(data.get("exclude") or {}, "exclude").items():
            for alias in self.check.strings(aliases, f"exclude.{label}", names=True):
                self._add(alias, Term("", "", str(label), "exclude"), f"exclude.{label}")
        for alias in self.check.strings(data.get("peers") or [], "peers", names=True):
            self._own_name_as_peer(alias)
            self._add(alias, Term("", "", alias.strip("*"), "peer"), "peers", weak=True)
        return list(self.terms.values())

    def _own_name_as_peer(self, alias: str) -> None:
        """Refuse the country's own name among its peers: the peer would be dropped unheard,
        the profile's author believing "Mongolia" tells a list of countries apart."""
        folded = normalise(alias.strip().strip("*").strip())
        if not folded:
            return  # _add says it is empty
        lead = "" if is_cjk(folded[0]) or alias.strip().startswith("*") else " "
        key = lead + key_form(folded)
        old = self.terms.get(key)
        if old is not None and self.origin[key].startswith("names."):
            raise self.check.fail(
                "peers",
                f"{alias!r} names the country itself ({self.origin[key]}): peers are the "
                "other countries an article may name",
            )

    def _entry(self, canonical: str, kind: str, entry: Any, where: str) -> None:
        if isinstance(entry, list):
            entry = {"aliases": entry}
        entry = self.check.mapping(entry, where)
        self.check.keys(entry, ("aliases", "ambiguous", "role", "weight", "history"), where)
        weight = self.check.number(entry.get("weight", 1.0), f"{where}.weight", low=0, high=10)
        role = entry.get("role")
        note = self.check.text(role, f"{where}.role") if role is not None else None
        history = (
            _history(entry["history"], self.check, f"{where}.history") if "history" in entry else []
        )
        self.entries[canonical] = NameEntry(canonical, kind, note, history)
        base = Term("", "", canonical, kind, weight=weight, note=note)
        aliases = self.check.strings(entry.get("aliases") or [], f"{where}.aliases", names=True)
        if not aliases and "ambiguous" not in entry:
            # A history names the names an alias matches; none of its own match (Dzhambul
            # alone is a poet too): an entry of history only never matched, without a word.
            hint = ": its history's names match only as aliases too" if history else ""
            raise self.check.fail(where, f"has no aliases: it would never match{hint}")
        for alias in aliases:
            self._add(alias, base, where)
        if "ambiguous" in entry:
            self._ambiguous(base, entry["ambiguous"], f"{where}.ambiguous")

    def _ambiguous(self, base: Term, raw: Any, where: str) -> None:
        spec = self.check.mapping(raw, where)
        self.check.keys(spec, ("why", "aliases", "alone"), where)
        why = self.check.text(spec.get("why"), f"{where}.why")
        alone = self.check.number(spec.get("alone", DEFAULT_ALONE), f"{where}.alone", low=0, high=1)
        term = Term("", "", base.canonical, "ambiguous", weight=base.weight, alone=alone, note=why)
        aliases = self.check.strings(spec.get("aliases") or [], f"{where}.aliases", names=True)
        if not aliases:
            raise self.check.fail(where, "has no aliases: it would never match")
        for alias in aliases:
            self._add(alias, term, where)

    def _add(self, alias: str, base: Term, where: str, *, weak: bool = False) -> None:
        text = alias.strip()
        stem, infix = text.endswith("*"), text.startswith("*")
        text = text.strip("*").strip()
        folded = normalise(text)
        if not folded:
            raise self.check.fail(where, f"alias {alias!r} is empty once normalised")
        cjk = is_cjk(folded[0])
        lead = "" if cjk or infix else " "  # the space is the word boundary; see matchable()
        key = lead + key_form(folded)
        term = Term(text, key, base.canonical, base.kind, base.weight, base.alone, base.note,
                    stem=stem, infix=infix, cjk=cjk)  # fmt: skip
        self._register(key, term, where, weak=weak)
        for variant in spelling_variants(folded, cjk):
            vkey = lead + key_form(variant)
            self._register(vkey, _rekey(term, vkey), where, weak=True)

    def _register(self, key: str, term: Term, where: str, *, weak: bool) -> None:
        old = self.terms.get(key)
        if old is None:
            self.terms[key], self.origin[key] = term, where
        elif old.canonical == term.canonical and old.kind == term.kind:
            # The same alias twice (e.g. English and French "Kazakhstan"): keep the laxest match.
            self.terms[key] = _rekey(
                old, key, stem=old.stem or term.stem, infix=old.infix or term.infix
            )
        elif not weak and old.kind != "peer":
            first = self.origin[key]
            raise self.check.fail(
                where, f"alias {term.alias!r} is already {old.canonical!r} in {first}"
            )
        elif not weak:
            self.terms[key], self.origin[key] = term, where  # a profile term beats a peer


def _rekey(term: Term, key: str, **changes: Any) -> Term:
    return dataclasses.replace(term, key=key, **changes)
