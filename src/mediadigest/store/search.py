"""Full-text search over stored articles: FTS5 on SQLite, tsvector on PostgreSQL, one result shape.

Queries use web-search syntax on both backends: words (all must match), ``"a phrase"``,
``OR`` between alternatives, ``-word`` to exclude, ``word*`` for words that start so. Words
are stemmed as English and common English stop words are ignored, so ``elections`` finds
``election``.

Ranking weighs title over lead over body (see migration 0002); ties go to the newest
article (by its date), then the last stored, on both backends alike. A page (a canonical URL)
stored more than once, captured again or reached by another URL, is one hit: its newest
capture among the matches (see `_ranked_page`). To keep every query fast at a
million articles, only the ``WINDOW`` most recently stored matches that pass the filters are
ranked (highest id first, on both backends): a word found in a third of the store answers as
fast as a rare one, and a query with fewer matches than that ranks them all. The most
recently stored are not the newest by date, nor the best: an archive ingested after a feed's
articles is stored after them, whatever its dates. `search` says whether the window was full
(`Hits.window_full`), so that callers can say so and suggest narrowing the query.

On SQLite, filters that keep a small share of the store (``SELECTIVE``) drive the search: the
ids passing them are collected from an index and FTS keeps its matches among them. Broader
filters are checked on each match, newest first, until the window is full. On PostgreSQL the
newest ``WALK`` articles are tested first, and what they hold decides between walking on and
asking the indexes (see `_newest_postgresql`): the planner's own guess of how many articles a
query matches can be wrong by the whole table.

Every search stops at ``TIME_LIMIT`` with `SearchTooLong` (see `_time_limit`): a query of many
short prefixes OR'd ("ba* OR be* OR …") expands to most of the index's words.
"""

from __future__ import annotations

import contextlib
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util

from mediadigest.matching import is_cjk, is_hangul
from mediadigest.model import as_given
from mediadigest.store import schema as t

if TYPE_CHECKING:
    from mediadigest.profile import Profile
    from mediadigest.profile_model import Term

WINDOW = 200  # most recently stored matches ranked per query (see module docstring)
WALK = 1500  # PostgreSQL: newest articles tested one by one before the indexes
# PostgreSQL costs, in articles walked newest first (about 1 µs at a million: pages read in
# order, several articles to a page): an id read from an index, an article fetched by id.
_ENTRY, _FETCH = 0.25, 6.0
SELECTIVE = 0.02  # share of the store below which filters drive a search on SQLite
STEM_MIN = 4  # a prefix spelling this short ("Ак*") would take unrelated words with it
MARK = ("**", "**")  # around matched words in snippets, as in Markdown bold
# The longest a search may run, in seconds: the slowest of bench/search.py's queries at a
# million articles takes 0.05 s, and a query of 80 two-letter prefixes OR'd kept a server
# busy for 40 s before its snippets were built in one statement. Past it, `SearchTooLong`.
TIME_LIMIT = 5.0
TOO_LONG = "the search took too long; use fewer or longer words"
# SQLite: statement steps between looks at the clock (a window of 200 takes some thousands).
_STEPS = 1000
_SNIPPET_WORDS = 24
# PostgreSQL's english stop words (snowball), so that SQLite ignores the same words.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own s same she should so some such t than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself
    yourselves""".split()  # noqa: SIM905 (a word list reads better as text)
)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


class SearchTooLong(Exception):
    """A search stopped at `TIME_LIMIT`; its message (`TOO_LONG`) is for the user."""

    def __init__(self) -> None:
        super().__init__(TOO_LONG)


@dataclass(slots=True)
class SearchHit:
    """One article found by `search`; ``score`` is higher for better matches (per backend)."""

    id: int
    url: str
    title: str
    outlet: str | None
    outlet_country: str | None
    published: datetime | None  # the outlet's wall time (see `model.Article.published`)
    language: str | None
    score: float
    snippet: str
    published_offset: int | None = None  # minutes east of UTC; None: ``published`` is UTC

    @property
    def published_iso(self) -> str | None:
        """``published`` with its outlet's offset where known, as `articles --json` gives it."""
        given = as_given(self.published, self.published_offset)
        return given.isoformat() if given else None


class Hits(list[SearchHit]):
    """`search`'s hits (a list, best first), and whether its window was full.

    ``window_full``: the search took ``WINDOW`` matches, the most recently stored, so older
    stored ones may match and were not ranked (a page captured again is one hit for its
    captures, so a full window may hold fewer hits than that). False: every match was ranked.
    None: not known, for an ``offset`` at or past the window, which runs no search.
    """

    window_full: bool | None

    def __init__(self, hits: Iterable[SearchHit] = (), window_full: bool | None = False) -> None:
        super().__init__(hits)
        self.window_full = window_full


@dataclass(slots=True)
class Query:
    """A parsed query: every group must match (one of its phrases), no excluded phrase may."""

    groups: list[list[tuple[str, ...]]]
    excluded: list[tuple[str, ...]]

    def fts5(self) -> str:
        """The query in FTS5 syntax, every phrase quoted so user input cannot break it."""
        groups = [
            " OR ".join(_quote(p) for p in g) if len(g) == 1 else f"({' OR '.join(map(_quote, g))})"
            for g in self.groups
        ]
        text = " AND ".join(groups)
        return "".join([text, *(f" NOT {_quote(p)}" for p in self.excluded)])

    def tsquery(self) -> str:
        """The same query for PostgreSQL's ``to_tsquery`` (words are ``\\w+``: no operators).

        Not ``websearch_to_tsquery``: it reads "oil or gas russia" as oil OR (gas AND russia)
        and has no parentheses to say otherwise.
        """

        def word(w: str) -> str:
            return w[:-1] + ":*" if w.endswith("*") else w  # a prefix (see parse_query)

        def phrase(words: tuple[str, ...]) -> str:
            return "(" + " <-> ".join(map(word, words)) + ")"

        groups = ["(" + " | ".join(map(phrase, g)) + ")" for g in self.groups]
        return " & ".join([*groups, *(f"!{phrase(p)}" for p in self.excluded)])

    def with_spellings(self, spellings: Spellings) -> tuple[Query, list[str]]:
        """The query with every other spelling of a name it asks for as an alternative
        ("tokaev" also finds Tokayev, Токаев and Тоқаев), and the spellings added."""
        added: list[str] = []
        groups = []
        stems = _stems(spellings)
        for group in _names_joined(self.groups, spellings):
            wider = list(group)
            for phrase in group:
                for other in _other_spellings(phrase, spellings, stems):
                    if other not in wider:
                        wider.append(other)
                        added.append(" ".join(other))
            groups.append(wider)
        # "зерна -Kazakhstan" must leave out "Казахстан" too, as "kazakhstan" finds it.
        excluded = list(self.excluded)
        for phrase in self.excluded:
            excluded += [o for o in _other_spellings(phrase, spellings, stems) if o not in excluded]
        return Query(groups, excluded), added


def _names_joined(
    groups: list[list[tuple[str, ...]]], spellings: Spellings
) -> list[list[tuple[str, ...]]]:
    """The groups with a run of lone words that spells a name of two words or more made one
    phrase: "Nur Sultan" typed with a space is the name Nur-Sultan (it found nothing, with
    none of the other spellings)."""
    out: list[list[tuple[str, ...]]] = []
    i = 0
    while i < len(groups):
        for j in range(len(groups), i + 1, -1):
            run = groups[i:j]
            if all(len(g) == 1 and len(g[0]) == 1 for g in run):
                name = tuple(g[0][0] for g in run)
                if name in spellings:
                    out.append([name])
                    i = j
                    break
        else:
            out.append(groups[i])
            i += 1
    return out


def _stems(spellings: Spellings) -> list[str]:
    """The one-word spellings that are prefixes ("казахстан" of "Казахстан*"), longest first."""
    found = [k[0] for k, alts in spellings.items() if len(k) == 1 and (k[0] + "*",) in alts]
    return sorted((s for s in found if len(s) >= STEM_MIN), key=len, reverse=True)


def _other_spellings(
    phrase: tuple[str, ...], spellings: Spellings, stems: Sequence[str]
) -> Sequence[tuple[str, ...]]:
    """A phrase's other spellings; an inflected form of a prefix spelling ("Казахстане")
    has those of its stem, the stem itself included (it found nothing)."""
    if phrase in spellings or len(phrase) != 1 or phrase[0].endswith("*"):
        return spellings.get(phrase, ())
    stem = next((s for s in stems if phrase[0].startswith(s)), None)
    return spellings[(stem,)] if stem is not None else ()


Spellings = Mapping[tuple[str, ...], Sequence[tuple[str, ...]]]


def spellings(names: Iterable[Iterable[str]]) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Each spelling of a name -> the name's other spellings, as search phrases.

    ``names``: for each named thing, its spellings (a profile's aliases). Spellings that are
    no words here (Chinese and Japanese, written without spaces: the index keeps runs of
    them) or only stop words are left out. One that ends in ``*`` is a prefix ("Астан*"
    finds the Kazakh "Астанада", "in Astana"); so is every Korean one, whose particles are
    written onto the name (카자흐스탄의, "of Kazakhstan").
    """
    out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in names:
        keys: list[tuple[str, ...]] = []  # as a query spells it: no "*"
        phrases: list[tuple[str, ...]] = []  # as the search asks for it
        for name in (v for n in group for v in _arabic_and_persian(n)):
            hangul = any(is_hangul(c) for c in name)
            if not hangul and any(is_cjk(c) for c in name):
                continue
            words = tuple(w.lower() for w in _WORD.findall(name))
            if not words or set(words) <= STOP_WORDS:
                continue
            if words not in keys:
                keys.append(words)
            if name.endswith("*") or hangul:
                words = (*words[:-1], words[-1] + "*")
            if words not in phrases:
                phrases.append(words)
        for key in keys:
            out.setdefault(key, []).extend(p for p in phrases if p != key)
    return out


# Arabic and Persian write kaf and yeh with different letters (ك ي, ک ی); the profile keeps one
# spelling of the two (they match alike), the index has each as written.
_TO_PERSIAN = str.maketrans("كي", "کی")
_TO_ARABIC = str.maketrans("کی", "كي")


def _arabic_and_persian(name: str) -> dict[str, None]:
    """``name``, and as Arabic and Persian write it where it has a kaf or a yeh."""
    return dict.fromkeys((name, name.translate(_TO_ARABIC), name.translate(_TO_PERSIAN)))


# By default not the country's own names: in its archive they match nearly everything already.
_NAMED = frozenset({"person", "place", "org"})


def profile_spellings(profile: Profile, *, country: bool = False) -> Spellings:
    """`spellings` of the profile's people, places and organisations (cached on it).

    ``country``: the country's own names too, so that a search for it in one script or
    language ("Казахстан") also finds the articles that name it in another ("Kazakhstan").
    """
    kinds = _NAMED | {"country"} if country else _NAMED
    key = "search_spellings" + ("+country" if country else "")
    found = profile.cache.get(key)
    if found is None:
        by_name: dict[str, list[str]] = {}
        for term in profile.terms:
            if term.kind in kinds:
                by_name.setdefault(term.canonical, []).append(_spelt(term))
        # An ambiguous alias of a place, person or organisation is one of its spellings all
        # the same: the capital Astana's own name (also a cycling team's) is, beside Nur-Sultan,
        # and so are those of a place whose every alias is ambiguous (Tengiz, Тенгиз; a search
        # for "tengiz" found the English reports only). Not the country's: "Kazakh" (also a
        # language, a people) is not "Kazakhstan".
        # Nor a name whose prefix spelling starts a country name ("kazakh*" finds "Kazakhstan").
        countries = {term.canonical for term in profile.terms if term.kind == "country"}
        country_words = [t.alias.casefold() for t in profile.terms if t.kind == "country"]
        countries |= {
            term.canonical
            for term in profile.terms
            if term.ambiguous
            and term.stem
            and any(w.startswith(term.alias.casefold()) for w in country_words)
        }
        for term in profile.terms:
            if term.ambiguous and term.canonical not in countries:
                by_name.setdefault(term.canonical, []).append(_spelt(term))
        found = profile.cache[key] = spellings(by_name.values())
    return found


def _spelt(term: Term) -> str:
    return f"{term.alias}*" if term.stem else term.alias


def _quote(phrase: tuple[str, ...]) -> str:
    # A prefix word (see parse_query) is the last of its phrase: FTS5 marks it after the quote.
    text = '"' + " ".join(phrase) + '"'
    return text[:-2] + '"*' if text.endswith('*"') else text


def query_problem(text: str) -> str | None:
    """Why ``text`` cannot be searched for ("", "the", "-", "OR"), or None: the CLI, the API and
    the archive page say it, not an empty result that reads as "nothing matched"."""
    query = parse_query(text)
    if query.groups:
        return None
    if query.excluded:
        return f"{text!r} only says what to leave out: add a word to search for ('wheat -alpha')"
    return f"{text!r} has no words to search for (common words like 'the' are left out)"


def parse_query(text: str) -> Query:
    """Parse web-search syntax into groups of alternatives and excluded phrases."""
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = negate_next = False
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None and bare.upper() == "OR":
            join_next = bool(groups)
            continue
        if bare == "NOT":  # "Kazakhstan NOT wheat": dropped as a common word, it found wheat
            negate_next = True
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        words = tuple(w.lower() for w in _WORD.findall(quoted if quoted is not None else bare))
        if bare is not None:  # "Kazakhstan's" is the word kazakhstan, as PostgreSQL reads it
            words = tuple(w for w in words if w not in STOP_WORDS)
            if words and bare.endswith("*"):  # kazakhst*: a prefix (\w has no "*" to clash)
                words = (*words[:-1], words[-1] + "*")
        if not words:
            continue
        if negated or negate_next:
            excluded.append(words)
        elif join_next:
            groups[-1].append(words)
        else:
            groups.append([words])
        join_next = negate_next = False
    return Query(groups, excluded)


def as_stored(language: str | None, country: str | None) -> tuple[str | None, str | None]:
    """A language and a country code as the store holds them ("en", "GB"), in whatever case
    they were asked for: "DE" for the language found nothing, and "gb" for the country.
    A language is its ISO 639-1 code, as articles store it: "ru-RU", "rus" and "Russian"
    found nothing. A code that names no language stays as given (it finds nothing)."""
    if language:
        from mediadigest.analyse.language import normalise_code  # numpy, the language model

        language = normalise_code(language) or language.strip().casefold() or None
    return (language, country.strip().upper() or None if country else country)


def search(
    conn: sa.Connection,
    query: str,
    *,
    since: date | None = None,
    until: date | None = None,
    language: str | None = None,
    outlet: str | None = None,
    outlet_country: str | None = None,
    relevant_only: bool = False,
    limit: int = 20,
    names: Spellings | None = None,
    theme: str | None = None,
    offset: int = 0,
) -> Hits:
    """Articles matching ``query``, best first (ties newest first), one per page (canonical
    URL); ``since``/``until`` are inclusive days (UTC). Only the ``WINDOW`` most recently
    stored matches are ranked; `Hits.window_full` says whether there were that many.

    ``names`` (see `spellings`): a name in the query matches in any of its spellings.
    ``theme``: only articles labelled with that theme, in any case.
    ``offset``: leave out that many of the best first, for paging; pages reach no further
    than the ``WINDOW`` matches ranked (see the module docstring).
    """
    typed = parse_query(query)
    parsed = typed.with_spellings(names)[0] if names else typed
    if not parsed.groups:
        return Hits()  # nothing to look for (empty, only stop words, or only exclusions)
    outlets = None if outlet is None else outlet_spellings(conn, outlet)
    if outlets == []:
        return Hits()  # no outlet of that name
    themes = None if theme is None else theme_spellings(conn, theme)
    if themes == []:
        return Hits()  # no article carries that theme
    language, outlet_country = as_stored(language, outlet_country)
    driving, residual = _filters(
        since, until, language, outlets, outlet_country, relevant_only, themes
    )
    if offset < 0:
        raise ValueError(f"offset {offset}: must be 0 or more")
    if offset >= WINDOW:
        return Hits(window_full=None)
    page = (min(limit, WINDOW - offset), offset)
    with _time_limit(conn):
        if conn.dialect.name == "postgresql":
            marked = _headline_query(parsed, typed)
            rows, full = _search_postgresql(conn, parsed, driving, residual, page, marked)
        else:
            rows, full = _search_sqlite(conn, parsed, driving, residual, page)
    # One line of text whatever the backend kept of the paragraph breaks.
    return Hits(
        (SearchHit(**{**row, "snippet": " ".join(row["snippet"].split())}) for row in rows),
        window_full=full,
    )


@contextlib.contextmanager
def _time_limit(conn: sa.Connection) -> Iterator[None]:
    """Stop the search's statements at `TIME_LIMIT` with `SearchTooLong`, then lift the limit.

    PostgreSQL: a statement_timeout set in a savepoint, rolled back after the search (the
    search only reads), so the setting ends with it and a cancelled statement does not leave
    the caller's transaction aborted. SQLite: a progress handler, which SQLite calls between
    steps of a statement (one FTS5 step, such as merging a prefix's entries, runs to its end).
    """
    if conn.dialect.name == "postgresql":
        savepoint = conn.begin_nested()
        try:
            ms = max(1, int(TIME_LIMIT * 1000))
            conn.execute(sa.text(f"SET LOCAL statement_timeout = {ms}"))
            yield
        except sa.exc.OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == "57014":  # query_canceled
                raise SearchTooLong() from exc
            raise
        finally:
            savepoint.rollback()
        return
    raw = conn.connection.driver_connection
    deadline = monotonic() + TIME_LIMIT
    raw.set_progress_handler(lambda: monotonic() > deadline, _STEPS)
    try:
        yield
    except sa.exc.OperationalError as exc:
        if "interrupted" in str(exc.orig) and monotonic() > deadline:
            raise SearchTooLong() from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


Filters = list[sa.ColumnElement[bool]]
Page = tuple[int, int]  # (limit, offset) within the ranked window


def _filters(
    since: date | None,
    until: date | None,
    language: str | None,
    outlets: list[str] | None,
    outlet_country: str | None,
    relevant_only: bool,
    themes: list[str] | None = None,
) -> tuple[Filters, Filters]:
    """(driving, residual): the driving filters are answered by one index alone (see _selective).

    That is the period with at most one of outlet, outlet country, relevance or theme (in that
    order: the one likely to keep fewest articles); the rest is checked on the articles
    themselves.
    """
    a = t.articles
    driving: Filters = []
    if since is not None:
        driving.append(a.c.dated >= datetime.combine(since, time.min))
    if until is not None:
        driving.append(a.c.dated < datetime.combine(until + timedelta(days=1), time.min))
    indexed = [
        a.c.outlet.in_(outlets) if outlets is not None else None,
        a.c.outlet_country == outlet_country if outlet_country is not None else None,
        a.c.relevant.is_(True) if relevant_only else None,
        themed(themes) if themes is not None else None,
    ]
    residual = [f for f in indexed if f is not None]
    if residual:
        driving.append(residual.pop(0))
    if language is not None:  # no index: most articles share a few languages
        residual.append(a.c.language == language)
    return driving, residual


# The outlets stored, one index seek each (a "loose index scan" on ix_articles_outlet_dated):
# SELECT DISTINCT read the whole index, a row per article.
_OUTLETS = sa.text(
    "WITH RECURSIVE stored(outlet) AS ("
    " SELECT min(outlet) FROM articles"
    " UNION ALL"
    " SELECT (SELECT min(outlet) FROM articles WHERE outlet > stored.outlet) FROM stored"
    " WHERE stored.outlet IS NOT NULL"
    ") SELECT outlet FROM stored WHERE outlet IS NOT NULL"
)


def outlet_spellings(conn: sa.Connection, outlet: str) -> list[str]:
    """``outlet`` as stored: itself if stored so (one seek), else the stored names that are
    it in another case ("bbc" -> ["BBC"]).

    The outlet filter then stays an equality on the indexed column, which ``lower(outlet)``
    would not be (and SQLite's lower() folds ASCII only). Listing the outlets costs a seek
    per outlet (15 ms on SQLite, 47 on PostgreSQL at 5,000), so a name stored as given,
    as the web app's choices are, skips it.
    """
    a = t.articles
    if conn.execute(sa.select(a.c.id).where(a.c.outlet == outlet).limit(1)).first():
        return [outlet]
    wanted = outlet.strip().casefold()
    return [name for name in conn.execute(_OUTLETS).scalars() if name.casefold() == wanted]


# The themes labelled, one index seek each, as `_OUTLETS` lists the outlets.
_THEMES = sa.text(
    "WITH RECURSIVE stored(theme) AS ("
    " SELECT min(theme) FROM article_themes"
    " UNION ALL"
    " SELECT (SELECT min(theme) FROM article_themes WHERE theme > stored.theme) FROM stored"
    " WHERE stored.theme IS NOT NULL"
    ") SELECT theme FROM stored WHERE theme IS NOT NULL"
)


def theme_spellings(conn: sa.Connection, theme: str) -> list[str]:
    """``theme`` as labelled: the stored themes that are it in any case ("Economy" ->
    ["economy"]; compared exactly, it found nothing), every one of them (a store labelled
    both "economy" and "Economy" found 14, 13 or 27 articles by the case typed). Empty: no
    article carries that theme. A handful of themes: listing them is a seek each."""
    wanted = theme.strip().casefold()
    return [name for name in conn.execute(_THEMES).scalars() if name.casefold() == wanted]


def themed(themes: str | Sequence[str]) -> sa.ColumnElement[bool]:
    """Articles labelled with one of ``themes`` (as stored: `theme_spellings`), as a filter:
    answered by the theme index of article_themes, so it holds before any limit (a theme
    tested on the hits afterwards lost most of them)."""
    names = [themes] if isinstance(themes, str) else list(themes)
    labelled = sa.select(t.article_themes.c.article_id).where(t.article_themes.c.theme.in_(names))
    return t.articles.c.id.in_(labelled)


# What the filters of `_filters` read, for testing them on the newest articles (PostgreSQL).
_FILTER_COLUMNS = [
    t.articles.c[n] for n in ("dated", "outlet", "outlet_country", "relevant", "language")
]
# The columns of a hit (a `SearchHit` but its snippet), here and in the web app's listing.
HIT_COLUMNS = [
    t.articles.c[n]
    for n in ("id", "url", "title", "outlet", "outlet_country", "published", "language")
] + [t.articles.c.published_offset]


# What `_window` reads of each article besides its id: its page, its date, when it was captured.
_PAGE_COLUMNS = [
    t.articles.c[n].label(n)
    for n in ("canonical_url", "parent_url", "dated", "created_at", "document_id")
]


def _window(
    conn: sa.Connection,
    source: sa.FromClause,
    columns: sa.ColumnCollection[str, Any],
    score: sa.ColumnElement[Any],
) -> list[sa.Row[Any]]:
    """The window's matches as (id, score, canonical_url, dated, captured, parent_url), from
    ``source``
    (the matches, with the article's id and `_PAGE_COLUMNS` among its ``columns``).
    ``captured``: when the article's page was fetched (a seek by id into documents), else
    when it was stored.

    The two times are only compared, so they come as stored: SQLite's text (one fixed-width
    form, which sorts as the times do) is not parsed, 400 times a search.
    """
    d = t.documents
    captured = sa.func.coalesce(d.c.fetched_at, columns.created_at)
    return conn.execute(
        sa.select(
            columns.id,
            score,
            columns.canonical_url,
            sa.type_coerce(columns.dated, sa.String),
            sa.type_coerce(captured, sa.String),
            columns.parent_url,
        ).select_from(source.outerjoin(d, d.c.id == columns.document_id))
    ).all()


_ID, _SCORE, _URL, _DATED, _CAPTURED, _PARENT = range(6)  # a row of `_window`
_BEST_FIRST = operator.itemgetter(_SCORE, _DATED, _ID)
_NEWEST_CAPTURE = operator.itemgetter(_CAPTURED, _ID)


def _full(window: list[sa.Row[Any]]) -> tuple[list[sa.Row[Any]], bool]:
    """The `_window` read with one match more than ``WINDOW``: its ``WINDOW`` most recently
    stored, and whether there was that one more (older matches left unranked).

    Fetching WINDOW alone could not tell: exactly WINDOW matches said "others stored before
    them may match" where every match was ranked (a fact-checking walk). The extra match, the
    oldest stored, is never ranked: the window stays WINDOW matches."""
    if len(window) <= WINDOW:
        return window, False
    return sorted(window, key=operator.itemgetter(_ID), reverse=True)[:WINDOW], True


def _ranked_page(window: Sequence[sa.Row[Any]], page: Page) -> list[sa.Row[Any]]:
    """One page of the `_window`, one row per page captured, best first.

    A page is its canonical URL, the first half of the articles' key: a page captured again
    with other content, or reached by another URL, is another row of the same page (a
    roundup's item that links to it is not: it comes from another page, its parent). It is
    listed once, as its newest capture among the matches (captured last, then stored last).
    Ties of score go to the newest (``dated``: the published date, else when the page was
    fetched; never NULL, which the backends would sort apart), then to the last stored.
    Ranked here, not in SQL, so that both backends order by this one key; the window is at
    most WINDOW rows.
    """
    latest: dict[tuple[str, str | None], sa.Row[Any]] = {}
    for row in window:
        key = row[_URL], row[_PARENT]
        seen = latest.setdefault(key, row)
        if seen is not row and _NEWEST_CAPTURE(row) > _NEWEST_CAPTURE(seen):
            latest[key] = row
    ranked = sorted(latest.values(), key=_BEST_FIRST, reverse=True)
    return ranked[page[1] : page[1] + page[0]]


def _search_sqlite(
    conn: sa.Connection, query: Query, driving: Filters, residual: Filters, page: Page
) -> tuple[list[dict[str, Any]], bool]:
    a = t.articles
    fts = sa.table("articles_fts", sa.column("rowid"))
    match = sa.text("articles_fts MATCH :q").bindparams(q=query.fts5())
    # bm25 is lower for better matches; weights mirror PostgreSQL's A, B, C (1.0, 0.4, 0.2).
    bm25 = sa.func.bm25(sa.literal_column("articles_fts"), 5.0, 2.0, 1.0)
    stmt = sa.select(fts.c.rowid.label("id"), bm25.label("bm25")).where(match)
    if driving and _selective(conn, driving):
        # Few articles pass: FTS reads its matches once and keeps those in the set. The unary
        # + stops SQLite handing the ids to FTS5, which would rescan its index once per id.
        ids = sa.select(a.c.id).where(*driving)
        stmt = stmt.where(sa.literal_column("+articles_fts.rowid").in_(ids))
        driving = []
    if driving or residual:
        # Walk the matches newest first, check each article, stop when the window is full.
        stmt = stmt.join_from(fts, a, a.c.id == fts.c.rowid).where(*driving, *residual)
    newest = stmt.order_by(fts.c.rowid.desc()).limit(WINDOW + 1).subquery()
    # The window's few articles, each read by its id: a join inside the window's statement
    # could make SQLite walk the articles instead of the FTS matches.
    matches = newest.join(a, a.c.id == newest.c.id)
    window, full = _full(_window(conn, matches, a.c, -newest.c.bm25))
    best = _ranked_page(window, page)
    return _sqlite_hits(conn, query.fts5(), best), full


def _selective(conn: sa.Connection, driving: Filters) -> bool:
    """Do fewer than a SELECTIVE share of the articles pass? One index counts, stopping there.

    Below that share a set of the passing ids is cheap to build; above it, walking the matches
    newest first meets a passing one often enough to fill the window soon.
    """
    a = t.articles
    cap = max(1, int(SELECTIVE * (conn.execute(sa.select(sa.func.max(a.c.id))).scalar() or 0)))
    capped = sa.select(a.c.id).where(*driving).limit(cap)
    count = conn.execute(sa.select(sa.func.count()).select_from(capped.subquery())).scalar_one()
    return count < cap


# A text longer than LONG_TEXT gets its snippet from the lead alone: FTS5's snippet() costs
# the square of the matches in the column (a 5 MB text took minutes), and ts_headline reads
# only the text's opening. Texts are cut at ingest now (analyse.MAX_TEXT); not all stored ones.
LONG_TEXT = 200_000
# The page's hits and their snippets in one statement: snippet() needs the FTS cursor of a
# MATCH, and every MATCH expands the query again (each prefix word merges the index's entries
# for every word it starts), so a statement per hit multiplied that by the hits: 80 two-letter
# prefixes OR'd took 8 s for 200 hits on 4,500 articles, 0.1 s for one. "rowid IN (...)" would
# make FTS5 run the MATCH once per id, so the ids are kept out of its reach (the unary +) and
# FTS5 walks its matches once, between the page's lowest and highest ids (a range it seeks);
# CROSS JOIN keeps FTS5 the outer loop, the articles read by id.
_SQLITE_HITS = (
    sa.text(
        "SELECT a.id, a.url, a.title, a.outlet, a.outlet_country, a.published, a.language, "
        "a.published_offset, snippet(articles_fts, 1, :start, :stop, '…', :words) AS lead, "
        "CASE WHEN length(a.text) <= :long "
        "THEN snippet(articles_fts, 2, :start, :stop, '…', :words) ELSE '' END AS body "
        "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH :q AND articles_fts.rowid BETWEEN :low AND :high "
        "AND +articles_fts.rowid IN :ids"
    )
    .bindparams(sa.bindparam("ids", expanding=True))
    .columns(published=sa.DateTime)
)


def _sqlite_hits(conn: sa.Connection, fts_query: str, best: Sequence[sa.Row[Any]]) -> list[dict]:
    """The hits of ``best`` (rows of `_window`), in its order, with their snippets."""
    if not best:
        return []
    ids = [row[_ID] for row in best]
    params = {"start": MARK[0], "stop": MARK[1], "words": _SNIPPET_WORDS, "long": LONG_TEXT}
    found = conn.execute(
        _SQLITE_HITS, {**params, "q": fts_query, "ids": ids, "low": min(ids), "high": max(ids)}
    )
    by_id = {row["id"]: dict(row) for row in found.mappings()}
    hits = []
    for row in best:
        hit = by_id.get(row[_ID])
        if hit is None:  # deleted by another connection since the window was read
            continue
        # The lead if the query matched there, else the body if it matched there, else the lead.
        lead, body = hit.pop("lead"), hit.pop("body")
        marked = MARK[0] in body and MARK[0] not in lead
        hits.append({**hit, "snippet": body if marked else lead, "score": row[_SCORE]})
    return hits


_ENGLISH = sa.literal_column("'english'::regconfig")
_HEADLINE = f"StartSel={MARK[0]}, StopSel={MARK[1]}, MaxWords={_SNIPPET_WORDS}, MinWords=12"


def _headline_query(query: Query, typed: Query) -> str:
    """What ts_headline marks: the user's own words and the one-word spellings added.

    ts_headline marks each word of a phrase wherever it stands, not only where the phrase
    does (PostgreSQL 15): "kazakhstan" found the alias "Kazakh officials" and marked every
    "officials" of the text. A phrase of more words is marked only where the user typed its
    words; SQLite's snippet marks the phrase itself."""
    own = {word for group in typed.groups for phrase in group for word in phrase}
    kept = [p for g in query.groups for p in g if len(p) == 1 or set(p) <= own]
    return Query([kept], []).tsquery() if kept else query.tsquery()


def _search_postgresql(
    conn: sa.Connection,
    query: Query,
    driving: Filters,
    residual: Filters,
    page: Page,
    marked: str | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """``marked``: the tsquery whose words the snippets mark (`_headline_query`); the
    query's own by default."""
    a = t.articles
    # The tsvector column exists on PostgreSQL only, so schema.py does not declare it.
    vector = sa.literal_column("articles.search")
    tsquery = sa.func.to_tsquery(_ENGLISH, query.tsquery())
    newest = _newest_postgresql(conn, vector, tsquery, driving, residual)
    if isinstance(newest, list):
        if not newest:
            return [], False
        newest = (
            sa.select(a.c.id, vector.label("search"), *_PAGE_COLUMNS)
            .where(a.c.id.in_(newest))
            .subquery()
        )
    rank = sa.func.ts_rank(newest.c.search, tsquery)
    window, full = _full(_window(conn, newest, newest.c, rank))
    best = _ranked_page(window, page)
    if not best:
        return [], full
    opening = sa.func.substr(a.c.text, 1, LONG_TEXT)
    shown = sa.func.to_tsquery(_ENGLISH, marked) if marked else tsquery
    headline = sa.func.ts_headline(_ENGLISH, opening, shown, _HEADLINE)
    stmt = sa.select(*HIT_COLUMNS, headline.label("snippet")).where(
        a.c.id.in_([row[_ID] for row in best])
    )
    found = {row["id"]: dict(row) for row in conn.execute(stmt).mappings()}
    return [{**found[row[_ID]], "score": row[_SCORE]} for row in best], full


def _newest_postgresql(
    conn: sa.Connection,
    vector: sa.ColumnElement[Any],
    tsquery: sa.ColumnElement[Any],
    driving: Filters,
    residual: Filters,
) -> list[int] | sa.Subquery:
    """The WINDOW newest articles that match and pass the filters, and one more where there are
    more (`_full`): their ids, or a subquery of their ids and vectors (left for the caller's
    statement, saving a round trip). Newest by the primary key, as SQLite's window goes by
    rowid: the most recently stored, not by date.

    The planner cannot see how many articles a query matches (a phrase of two common words
    may match none), and a wrong guess either walks the whole table newest first or builds
    bitmaps of hundreds of thousands of ids. So we look before choosing: test the WALK newest
    articles (a bounded read); if they hold too few hits, estimate from them the cost of
    walking on (rows until the window is full) and of the indexes (the ids the GIN index and
    the driving filters' index would return, as a share of the store), and take the cheaper.
    """
    a = t.articles
    filters = [*driving, *residual]
    match = vector.op("@@")(tsquery)
    recent = _newest_rows(match.label("match"), sa.true(), WALK)
    on_recent = sql_util.ClauseAdapter(recent).traverse
    passing = sa.and_(sa.true(), *map(on_recent, filters))
    seen = conn.execute(
        sa.select(
            sa.func.array_agg(recent.c.id).filter(passing, recent.c.match).label("hits"),
            sa.func.count().filter(sa.and_(sa.true(), *map(on_recent, driving))).label("driven"),
            sa.func.count().filter(recent.c.match).label("matching"),
            sa.func.count().label("walked"),
            sa.func.min(recent.c.id).label("oldest"),
        )
    ).one()
    take = WINDOW + 1  # one more than the window: whether it was full (`_full`)
    found = sorted(seen.hits or [], reverse=True)[:take]
    if len(found) == take or seen.walked < WALK:
        return found  # the window is full, or that was the whole store
    need = take - len(found)
    walk = need * seen.walked / len(found) if found else float("inf")  # rows, at the rate seen
    if walk < _index_cost(seen, bool(driving)):
        slack = int(walk * 1.5) + 1  # for a rate a little lower than seen
        older = _newest_rows(vector.label("search"), a.c.id < seen.oldest, slack)
        found += (
            conn.execute(
                sa.select(older.c.id)
                .where(*map(sql_util.ClauseAdapter(older).traverse, filters))
                .where(older.c.search.op("@@")(tsquery))  # after the cheap tests
                .order_by(older.c.id.desc())
                .limit(need)
            )
            .scalars()
            .all()
        )
        if len(found) == take:
            return found
    # MATERIALIZED keeps the LIMIT out, so the planner gathers every match by its indexes
    # (GIN, ANDed with the filters') instead of walking the table newest first on a guess.
    # The vectors (and what `_ranked_page` reads) come along for ranking, saving a second
    # fetch of each article.
    matches = (
        sa.select(a.c.id, vector.label("search"), *_PAGE_COLUMNS)
        .where(*filters, match)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    return sa.select(matches).order_by(matches.c.id.desc()).limit(take).subquery("newest")


def _index_cost(seen: sa.Row, driven: bool) -> float:
    """What gathering the matches by the indexes would cost, in rows walked newest first.

    Scaled from the walked rows to the store: the GIN index returns the matching ids, the
    driving filters' index the passing ones; the planner ANDs the two (or reads the filter's
    ids alone, testing each article) and fetches each article left, by id.
    """
    scale = seen.oldest / seen.walked
    matching = seen.matching * scale
    if not driven:
        return (_ENTRY + _FETCH) * matching
    passing = seen.driven * scale
    both = matching * seen.driven / seen.walked
    return min(_ENTRY * (matching + passing) + _FETCH * both, (_ENTRY + _FETCH) * passing)


def _newest_rows(
    extra: sa.ColumnElement[Any], where: sa.ColumnElement[bool], count: int
) -> sa.Subquery:
    """The ``count`` newest articles by the primary key, with what the filters read and
    ``extra`` (whether each matches, or its vector); a bounded read whatever the query."""
    a = t.articles
    return (
        sa.select(a.c.id, *_FILTER_COLUMNS, extra)
        .where(where)
        .order_by(a.c.id.desc())
        .limit(count)
        .subquery()
    )
