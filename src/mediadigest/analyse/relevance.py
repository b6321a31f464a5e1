"""Relevance: how much an article is about the profile's country, and the hits that show why.

One Aho-Corasick pass per field (title, lead, body) over normalised text (``Profile.scan``);
everything after that works on the handful of matches, so the cost is about that of
normalising the text once.
See docs/profiles.md for the weights, the threshold and the grade rules.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mediadigest.model import Grade, Hit, Relevance, lead_of
from mediadigest.profile import Profile, Term, matchable

__all__ = ["score"]

TITLE, LEAD, BODY = "title", "lead", "body"
FIELD_WEIGHT = {TITLE: 3.0, LEAD: 2.0, BODY: 0.5}
TOP_CAP = 1.5  # a headline naming the country and its president is not worth two headlines
BODY_CAP = 10.0  # past ~10 weighted body mentions, more repetition says nothing new
LIST_FACTOR = 0.5  # a name in a list of countries is one example among others
LIST_WINDOW = 50  # normalised characters either side of a name in which to look for peers
LIST_PEERS = 2  # "Kazakhstan and Uzbekistan" is a pair; with two or more peers it is a list
SHORT_BODY_WORDS = 80  # below this the body is too short to judge density
SUBJECT_DENSITY = 2.0  # counted mentions per 1,000 body words
MAJOR_DENSITY = 1.0
MAJOR_BODY_MENTIONS = 3
# Past this many body words, body mentions count in proportion (4,000 / words): four
# passing mentions of the country in an 8,000-word food blog are no article about it.
# On a long page the body alone passes only at one mention per 1,000 words, the density
# the grade rules ask of a MAJOR article.
LONG_BODY_WORDS = 4000


@dataclass(slots=True)
class _Field:
    """What one pass over one field found."""

    name: str
    counts: Counter[Term] = field(default_factory=Counter)
    listed: Counter[Term] = field(default_factory=Counter)  # of those, inside a country list
    excluded: Counter[Term] = field(default_factory=Counter)
    words: int = 0


def score(text: str, profile: Profile, *, title: str = "") -> Relevance:
    """Judge how much ``text`` (with its ``title``) is about the profile's country. Pure.

    A text that opens by repeating its title (a JSONL export's ``text``, a page whose
    extracted text starts with its headline) is judged without that line: the headline
    counts once, as the title.
    """
    text = _without_headline(text, title)
    lead = lead_of(text)
    start = text.find(lead) if lead else 0
    body = text[start + len(lead) :]
    parts = ((TITLE, title), (LEAD, lead), (BODY, body))
    fields = [_scan(name, part, profile) for name, part in parts]
    confirmed = any(not t.ambiguous for f in fields for t in f.counts)
    value = sum(_field_score(f, confirmed) for f in fields)
    # An ambiguous name alone is never relevant, wherever it stands: "Kazakh" in a title and
    # its lead (3.0 × 0.4 + 2.0 × 0.4) made exactly the threshold, and a carpet sold in London
    # was an article about Kazakhstan.
    relevant = confirmed and value >= profile.threshold
    grade, why = _grade(fields, confirmed, relevant)
    reasons = _reasons(fields, confirmed, profile)
    reasons.append(f"grade {grade}: {why}")
    sign = "≥" if value >= profile.threshold else "<"
    unconfirmed = "" if relevant or sign == "<" else ", but only ambiguous names: not relevant"
    reasons.append(f"score {value:.2f} {sign} threshold {profile.threshold:g}{unconfirmed}")
    return Relevance(
        score=value, grade=grade, relevant=relevant, hits=_hits(fields), reasons=reasons
    )


def _without_headline(text: str, title: str) -> str:
    """``text`` less its first line when that line is ``title`` (case, spacing and a final
    full stop aside)."""
    head, _, rest = text.lstrip().partition("\n")
    if title.strip() and _folded(head) == _folded(title):
        return rest
    return text


def _folded(line: str) -> str:
    return " ".join(line.split()).rstrip(".:").casefold()


def _scan(name: str, text: str, profile: Profile) -> _Field:
    result = _Field(name)
    if not text:
        return result
    norm = matchable(text)
    result.words = _words(norm)
    _tally(result, profile.scan(norm))
    return result


def _words(norm: str) -> int:
    words = norm.count(" ")
    if words * 20 < len(norm):  # CJK and other unspaced text: about two characters a word
        words = len(norm) // 2
    return words


def _tally(result: _Field, matches: list[tuple[int, int, Term]]) -> None:
    peers = [start for start, _, term in matches if term.kind == "peer"]
    for start, end, term in matches:
        if term.kind == "peer":
            continue
        if term.kind == "exclude":
            result.excluded[term] += 1
            continue
        result.counts[term] += 1
        if peers:
            near = bisect_right(peers, end + LIST_WINDOW) - bisect_left(peers, start - LIST_WINDOW)
            if near >= LIST_PEERS:
                result.listed[term] += 1


def _factor(term: Term, confirmed: bool) -> float:
    return 1.0 if confirmed or not term.ambiguous else term.alone


def _field_score(f: _Field, confirmed: bool) -> float:
    """Title and lead count each name once; the body counts every mention."""
    if f.name == BODY:
        raw = 0.0
        for term, count in f.counts.items():
            listed = f.listed[term]
            raw += term.weight * _factor(term, confirmed) * (count - listed + LIST_FACTOR * listed)
        return FIELD_WEIGHT[BODY] * min(raw * _length_factor(f), BODY_CAP)
    best: dict[str, float] = {}
    for term, count in f.counts.items():
        in_list = f.listed[term] == count
        value = term.weight * _factor(term, confirmed) * (LIST_FACTOR if in_list else 1.0)
        best[term.canonical] = max(best.get(term.canonical, 0.0), value)
    return FIELD_WEIGHT[f.name] * min(sum(best.values()), TOP_CAP)


def _length_factor(body: _Field) -> float:
    return min(1.0, LONG_BODY_WORDS / body.words) if body.words else 1.0


def _grade(fields: list[_Field], confirmed: bool, relevant: bool) -> tuple[Grade, str]:
    title, lead, body = fields
    if not any(f.counts for f in fields):
        return Grade.NONE, "the country is not named"
    if not confirmed:
        return _settle(Grade.PASSING, "only ambiguous names, nothing unambiguous", relevant)
    top_free = any(f.counts[t] > f.listed[t] for f in (title, lead) for t in f.counts)
    # A headline about something else caps the grade at MAJOR; no headline at all does not.
    headline = not title.words or any(title.counts[t] > title.listed[t] for t in title.counts)
    body_count = sum(body.counts.values())
    body_free = body_count - sum(body.listed.values())
    density = 1000 * body_count / body.words if body.words else 0.0
    total = sum(sum(f.counts.values()) for f in fields)
    dense = body.words < SHORT_BODY_WORDS or density >= SUBJECT_DENSITY
    if top_free and headline and dense:
        return _settle(Grade.SUBJECT, f"named in title or lead{_body_density(body)}", relevant)
    if top_free:
        why = "seldom in body" if headline else "but not in the headline"
        return _settle(Grade.MAJOR, f"named in title or lead, {why}", relevant)
    if body_free >= MAJOR_BODY_MENTIONS and density >= MAJOR_DENSITY:
        return _settle(Grade.MAJOR, "named often in body", relevant)
    if total >= 2:
        return _settle(Grade.EXAMPLE, "named a few times or among other countries", relevant)
    return _settle(Grade.PASSING, "named once or only in a list of countries", relevant)


def _body_density(body: _Field) -> str:
    """How the body made the grade: dense, too short to judge, or absent."""
    if not body.words:
        return ", no body to judge"  # a headline, or a title and lead only
    if body.words < SHORT_BODY_WORDS:
        return f", body too short to judge ({body.words} words)"
    return " and dense in body"


def _settle(grade: Grade, why: str, relevant: bool) -> tuple[Grade, str]:
    """Keep grade and threshold consistent: SUBJECT/MAJOR are relevant, PASSING is not."""
    if not relevant and grade in (Grade.SUBJECT, Grade.MAJOR):
        return Grade.EXAMPLE, f"{why}, but the names found weigh little"
    if relevant and grade is Grade.PASSING:
        return Grade.EXAMPLE, f"{why}, but often enough to pass the threshold"
    return grade, why


def _reasons(fields: list[_Field], confirmed: bool, profile: Profile) -> list[str]:
    reasons: list[str] = []
    for f in fields[:2]:
        names = _unique(t.canonical for t in f.counts if _factor(t, confirmed) == 1.0)
        if names:
            in_list = all(f.listed[t] == n for t, n in f.counts.items())
            reasons.append(
                f"{f.name} names {', '.join(names)}"
                + (" in a list of countries" if in_list else "")
            )
    body = fields[2]
    mentions = sum(n for t, n in body.counts.items() if _factor(t, confirmed) == 1.0)
    if mentions:
        density = 1000 * mentions / body.words
        plural = "mention" if mentions == 1 else "mentions"
        reasons.append(f"{mentions} {plural} in body ({density:.1f} per 1,000 words)")
        if (factor := _length_factor(body)) < 1.0:
            reasons.append(f"body of {body.words:,} words: its mentions count at {factor:.0%}")
    listed = _where(fields, lambda f: ((t.canonical, n) for t, n in f.listed.items()))
    if listed:
        reasons.append(f"{listed} in a list of countries, counted at {LIST_FACTOR:.0%}")
    reasons.extend(_ambiguity_reasons(fields, confirmed, profile))
    excluded: Counter[Term] = Counter()
    for f in fields:
        excluded.update(f.excluded)
    for term, n in excluded.items():
        reasons.append(f"ignored {n} × {term.alias!r} ({term.canonical})")
    return reasons


def _where(fields: list[_Field], found: Callable[[_Field], Iterable[tuple[str, int]]]) -> str:
    """``Kazakhstan (title ×1, body ×2)``: each name that ``found`` gives, with its fields."""
    places: dict[str, Counter[str]] = {}
    for f in fields:
        for name, n in found(f):
            if n:
                places.setdefault(name, Counter())[f.name] += n
    return ", ".join(
        f"{name} ({', '.join(f'{field} ×{n}' for field, n in where.items())})"
        for name, where in places.items()
    )


def _ambiguity_reasons(fields: list[_Field], confirmed: bool, profile: Profile) -> list[str]:
    seen: dict[str, Term] = {}
    for f in fields:
        for term in f.counts:
            if term.ambiguous:
                seen.setdefault(term.alias, term)
    reasons = []
    for alias, t in seen.items():
        where = _where(fields, lambda f, a=alias: ((repr(a), n) for t, n in f.counts.items()
                                                   if t.alias == a))  # fmt: skip
        if confirmed:
            reasons.append(f"{where} is ambiguous ({t.note}) but counts: an unambiguous name "
                           "is present")  # fmt: skip
        else:
            reasons.append(f"{where} is ambiguous ({t.note}) and nothing unambiguous names "
                           f"{profile.country}: counted at {t.alone:.0%}")  # fmt: skip
    return reasons


def _hits(fields: list[_Field]) -> list[Hit]:
    merged: dict[tuple[str, str, str], Hit] = {}
    for f in fields:
        for term, count in sorted(f.counts.items(), key=lambda item: -item[1]):
            key = (term.alias, term.canonical, f.name)
            if key in merged:  # two spellings of one alias ("Nur-Sultan", "Nur Sultan")
                merged[key].count += count
            else:
                merged[key] = Hit(term.alias, term.canonical, term.kind, f.name, count)
    return list(merged.values())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
