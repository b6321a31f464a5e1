"""Group reports of one event into stories: TF-IDF over title and lead, names, time distance.

Headlines are short, so each document's vector is smoothed with its nearest neighbours' (a
headline that shares one word with its story still shares many with the story's other
reports); then average-link agglomerative clustering. Existing stories enter as seeds that
new articles may join but that never merge with each other, so running it over a window with
new articles is incremental: stories keep their members.

Reports in two languages (Russian and English, or English and French) share few words or
none; for them the evidence is what `anchors` finds in both: names in one spelling and figures
with their scale.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import stopwordsiso
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from mediadigest.stories import anchors

__all__ = ["ClusterDoc", "ClusterParams", "cluster", "name_vectors", "similarity"]

PREFIX = 5
_BLOCK = 1024  # rows per block of the n x n work: temporaries of 1024 x n, not n x n
_SLUG_WORD = re.compile(r"[a-z]{3,}")
_WORDS = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's own token pattern
# Languages that capitalise every noun: a capitalised word of theirs is no sign of a name.
_NOUNS_CAPITALISED = frozenset({"de", "lb"})


@dataclass(slots=True)
class ClusterDoc:
    """What clustering reads of an article: title, lead, names and when it appeared."""

    key: int
    title: str
    lead: str = ""
    entities: Sequence[str] = ()
    when: datetime | None = None
    url: str = ""
    outlet: str | None = None
    language: str | None = None  # ISO 639-1; its stop words are left out (English: always)
    # Places say where, not what: compared only between reports in two languages, which have
    # few words in common to tell them apart (see ``ClusterParams.anchor_weight``).
    places: Sequence[str] = ()


@dataclass(slots=True)
class ClusterParams:
    """Chosen on one half of the UCI prefix by bench/cluster.py; see docs/benchmarks.md."""

    threshold: float = 0.12  # average-link similarity at which two groups are one story
    neighbours: int = 10  # smoothing: each vector gets the mean of its k most similar
    smoothing: float = 2.0  # ... weighted by this
    neighbour_floor: float = 0.1  # ... of those at least this similar
    direct_floor: float = 0.06  # ... and only between documents at least this alike directly
    char_weight: float = 1.0  # character 3-5-grams: "taper"/"tapering", "Tokayev"/"Tokaev"
    char_min_docs: int = 100  # ... with fewer documents, 5-letter word prefixes instead
    entity_weight: float = 1.0  # shared entities (from the analyse stage), beside the words
    entity_prior: float = 3.0  # ... a name's weight must outgrow this to count fully
    lead_weight: float = 1.0  # the lead (0.5 did worse on WikiRef220: 0.79 against 0.80)
    slug_weight: float = 1.0  # words of the URL path (often the outlet's own headline)
    # Reports in two languages (or, where one's is unknown, two scripts): their similarity
    # is at least that of the names and figures both give (`anchors`), weighted as names
    # are, where they share ``anchor_min`` of them or more: one shared name is no story in
    # any language.
    anchor_weight: float = 1.0
    anchor_min: int = 2
    # ... and of those, names other than these: the profile's people and places (the
    # president, the capital), which reports of any two events may both give.
    common_names: frozenset[str] = field(default_factory=frozenset)
    same_day_hours: float = 36.0  # within this, time distance costs nothing
    same_outlet: float = 0.5  # factor on the similarity of two reports by the same outlet
    half_life_days: float = 2.0  # beyond it, similarity halves every this many days
    stop_words: frozenset[str] = field(default_factory=frozenset)  # e.g. the country's names
    # Words starting with these are left out too: the country's names as inflected languages
    # write them ("Казахстане", "Казахстана"), which every report about it has.
    stop_stems: tuple[str, ...] = ()


def _names(doc: ClusterDoc) -> list[str]:
    # Only the entity stage's canonical names ("Tokayev" for "Токаев" too): capitalised words
    # would repeat the word features, and on UCI headlines they made clustering worse. Folded
    # to one spelling: a Cyrillic name the entity stage kept ("Алмасадам Саткалиев") is the
    # English reports' "Almasadam Satkaliyev".
    return [key for key in map(anchors.fold, doc.entities) if key]


def _slug(url: str) -> str:
    """The words of the URL's last path segment when it reads like a headline (3+ words).

    Directory names and extensions ("/pages/steppe-wire/...html") are the outlet's, not the
    story's: they would make every article of one site look alike.
    """
    rest = url.split("://", 1)[-1]
    if "#" in rest:
        # A roundup's item: its anchor names it; the path names the page, the same for every
        # item of it, and would join CBS's nine teasers into one story.
        words = _SLUG_WORD.findall(rest.split("#", 1)[1].casefold())
        return " ".join(words) if len(words) >= 3 else ""
    path = rest.partition("/")[2].split("?", 1)[0]
    segments = [s for s in path.split("/") if s]
    last = max(segments, key=lambda s: s.count("-") + s.count("_"), default="")
    words = _SLUG_WORD.findall(last.casefold().rsplit(".", 1)[0])
    return " ".join(words) if len(words) >= 3 else ""


@functools.lru_cache(maxsize=64)
def language_stop_words(language: str | None) -> frozenset[str]:
    """The stop words of a language other than English (stopwords-iso's lists), none for
    English (scikit-learn's apply to every text) or a language without a list."""
    code = (language or "en").split("-")[0].casefold()
    if code == "en" or not stopwordsiso.has_lang(code):
        return frozenset()
    return frozenset(w.casefold() for w in stopwordsiso.stopwords(code))


def _plain(doc: ClusterDoc, params: ClusterParams) -> tuple[str, str]:
    """The title and lead without the stop words of the report's language and the words of
    ``params.stop_stems``. Without them a Russian report of a metro line and one of a
    nuclear plant shared "в", "это", "для" and the country's inflected name."""
    drop = language_stop_words(doc.language)
    stems = params.stop_stems
    if not drop and not stems:
        return doc.title, doc.lead

    def plain(text: str) -> str:
        words = _WORDS.findall(text.casefold())
        return " ".join(w for w in words if w not in drop and not w.startswith(stems))

    return plain(doc.title), plain(doc.lead)


_PREFIXED = "\x01"  # marks a text of word prefixes among texts of character n-grams
_CHAR_GRAMS = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()


def _grams(text: str) -> list[str]:
    """A text's character 3-5-grams, or its word prefixes where it is marked as such (kept
    apart from the n-grams by the mark)."""
    if text.startswith(_PREFIXED):
        return [_PREFIXED + w for w in text[1:].split()]
    return _CHAR_GRAMS(text)


def _language(doc: ClusterDoc) -> str:
    # Unknown counts as English, as ``rank.in_english`` has it: texts too short to tell.
    return (doc.language or "en").split("-")[0].casefold()


def _tfidf(texts: list[str], background: Sequence[str] = (), **options: Any) -> sparse.csr_matrix:
    """TF-IDF of ``texts``, its word weights learnt from them and ``background`` together."""
    vectoriser = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **options)
    try:
        if not background:
            return vectoriser.fit_transform(texts)
        return vectoriser.fit([*texts, *background]).transform(texts)
    except ValueError:  # every text empty, or stop words only
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _normalise(x: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ x)


def _features(
    docs: Sequence[ClusterDoc], params: ClusterParams, background: Sequence[ClusterDoc] = ()
) -> tuple[sparse.csr_matrix, int]:
    """The features, and how many of their columns are words' (the names' come after)."""
    own = {w for word in params.stop_words for w in _WORDS.findall(word.casefold())}
    stop_set = ENGLISH_STOP_WORDS | own
    stop = sorted(stop_set)

    plain = {id(d): _plain(d, params) for d in (*docs, *background)}

    def head(d: ClusterDoc) -> str:
        return plain[id(d)][0] + (" " + _slug(d.url) if params.slug_weight else "")

    def lead(d: ClusterDoc) -> str:
        return plain[id(d)][1]

    heads, other_heads = [head(d) for d in docs], [head(d) for d in background]
    # (weight, block): each block is normalised before its weight applies, or the weight would
    # be normalised away and every block would count the same.
    blocks = [(1.0, _tfidf(heads, other_heads, stop_words=stop))]
    if params.char_weight:
        # Without stop words: every report names the country, and the n-grams of "kazakhstan"
        # (or of "the") would make every pair of reports look alike.
        def bare(texts: list[str]) -> list[str]:
            return [" ".join(w for w in _WORDS.findall(h.casefold()) if w not in stop_set)
                    for h in texts]  # fmt: skip

        # N-gram weights need a corpus: in a window of a few dozen reports "hosts" and "ocean"
        # share rare-looking n-grams, and so do a handful of Russian reports among hundreds in
        # English (a metro line's and a nuclear plant's, through "ст" and "ции"). Reports of a
        # language with fewer than char_min_docs in the window give 5-letter word prefixes
        # instead, which catch "taper"/"tapering" too.
        langs = Counter(_language(d) for d in (*docs, *background))
        few = {lang for lang, n in langs.items() if n < params.char_min_docs}
        if not few:
            grams = _tfidf(
                bare(heads), bare(other_heads), analyzer="char_wb", ngram_range=(3, 5), min_df=2
            )
        elif len(few) == len(langs):

            def prefixes(texts: list[str]) -> list[str]:
                return [" ".join(w[:PREFIX] for w in b.split()) for b in bare(texts)]

            grams = _tfidf(prefixes(heads), prefixes(other_heads))
        else:

            def mixed(texts: list[str], of: Sequence[ClusterDoc]) -> list[str]:
                return [
                    _PREFIXED + " ".join(w[:PREFIX] for w in b.split())
                    if _language(d) in few
                    else b
                    for b, d in zip(bare(texts), of, strict=True)
                ]

            grams = _tfidf(
                mixed(heads, docs), mixed(other_heads, background), analyzer=_grams, min_df=2
            )
        blocks.append((params.char_weight, grams))
    if params.lead_weight and any(d.lead for d in docs):
        leads = _tfidf([lead(d) for d in docs], [lead(d) for d in background], stop_words=stop)
        blocks.append((params.lead_weight, leads))
    blocks = [(w, _normalise(b)) for w, b in blocks]
    words = len(blocks)
    if params.entity_weight:
        names = [_names(d) for d in docs]
        if any(names):
            blocks.append((params.entity_weight, name_vectors(names, params.entity_prior)))
    x = _normalise(sparse.hstack([w * b for w, b in blocks]).tocsr())
    return x, sum(b.shape[1] for _, b in blocks[:words])


def name_vectors(names: Sequence[Sequence[str]], prior: float) -> sparse.csr_matrix:
    """Names weighted by how seldom the window's reports share them, normalised softly.

    A unit vector per report made a lone name count fully: two reports whose only name was
    the president's were as alike in this block as two that share five rare names, and a
    week's reports in Chinese, German, Turkish and Polish on four different events became
    one story through "Tokayev" alone. Each name weighs its surprise, ``-ln p`` with ``p``
    its share of the reports (and a prior of one in ten, so a window of two reports says
    little), and each row is divided by ``sqrt(|v|² + prior²)``: a pseudo-name of its own
    that no other report shares. A common name shared then counts little, a rare one or
    several names nearly fully.
    """
    return _weighted(_incidence(names)[0], prior)


def _incidence(names: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, dict[str, int]]:
    """Which report gives which name (1 or 0), and each name's column."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, doc in enumerate(names):
        for name in dict.fromkeys(doc):
            rows.append(i)
            cols.append(vocab.setdefault(name, len(vocab)))
    x = sparse.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(names), max(len(vocab), 1))
    )
    return x, vocab


def _weighted(
    x: sparse.csr_matrix, prior: float, df: np.ndarray | None = None
) -> sparse.csr_matrix:
    """``x`` (an incidence) weighted by surprise and softly normalised: see `name_vectors`."""
    if df is None:
        df = np.asarray(x.sum(axis=0)).ravel()
    surprise = -np.log((df + 1.0) / (x.shape[0] + 10.0)).astype(np.float32)
    x = sparse.csr_matrix(x @ sparse.diags(surprise))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel() + prior**2)
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ x)


def similarity(
    docs: Sequence[ClusterDoc], params: ClusterParams, background: Sequence[ClusterDoc] = ()
) -> np.ndarray:
    """Dense (n x n, float32) similarity: smoothed cosine, discounted by time apart.

    ``background``: other reports of the window (not about the country), from which the word
    weights are learnt too. In a window of two reports every shared word looks rare, and two
    business stories sharing "chief executive" and "jobs" were one story.

    Built in place and in row blocks: at 10,000 articles one n x n float32 matrix is 400 MB,
    and whole-matrix temporaries (the sparse product, argpartition's int64 indexes, the sums
    of the smoothing) had the peak at seven times that.
    """
    x, words = _features(docs, params, background)
    sim = _gram(x)
    if params.anchor_weight:
        _across_languages(sim, docs, params, x[:, words:].tocsr() if words < x.shape[1] else None)
    # Only third documents vouch for a pair: the smoothing reads similarities without their
    # diagonal, and the diagonal ends as zero anyway.
    np.fill_diagonal(sim, 0.0)
    if params.neighbours and params.smoothing and len(docs) > 2:
        k = min(params.neighbours, len(docs) - 1)
        lone = _lone_name(x, words, params.direct_floor) if words < x.shape[1] else None
        _smooth(sim, k, params.smoothing, params.neighbour_floor, params.direct_floor, lone)
    _discount_time(sim, docs, params)
    if params.same_outlet < 1.0:
        # One outlet seldom reports one event twice in a few days; its two reports on one
        # topic (a port's grain record, then a new ferry from that port) are two stories.
        outlets = [d.outlet for d in docs]
        for name in {o for o in outlets if o}:
            idx = np.array([i for i, o in enumerate(outlets) if o == name])
            if len(idx) > 1:
                sim[np.ix_(idx, idx)] *= params.same_outlet
    np.fill_diagonal(sim, 0.0)
    return sim


def _across_languages(
    sim: np.ndarray,
    docs: Sequence[ClusterDoc],
    params: ClusterParams,
    names: sparse.csr_matrix | None,
) -> None:
    """Set, in place, the similarity of reports in two languages to at least what their
    shared names and figures say where they share ``params.anchor_min`` of them or more (not
    counting ``params.common_names``).

    Reports in two scripts have no word in common, so their similarity was their names'
    alone: the Russian and English reports of one grain record (Aktau, the Caspian, 1.4
    million tonnes) became two stories. Reports in two languages of one script share a few
    words (names, figures, n-grams of both), too few: a French and a German report of one law
    were each a story of their own beside the English one. The anchors are weighted as names
    are (`name_vectors`): a figure or name few reports give counts nearly fully, one that many
    give little.

    With fewer anchors shared, a pair in two scripts loses the entity block (``names``, of the
    features): one shared name is no story, and the name of a rare official that both give,
    now in one spelling, was enough between reports with no words to add. A pair in one
    script keeps its similarity: its words, names among them, meet as they did, and taking
    the names away would part reports that group today. A report's language is
    ``ClusterDoc.language``; one of unknown language is compared by its script alone.
    """
    scripts = np.array([anchors.script((d.title, d.lead)) for d in docs])
    languages = np.array([(d.language or "").split("-")[0].casefold() for d in docs])
    kinds = sorted(set(zip(scripts.tolist(), languages.tolist(), strict=True)))
    index = {k: i for i, k in enumerate(kinds)}
    kind = np.array([index[k] for k in zip(scripts.tolist(), languages.tolist(), strict=True)])
    # Each kind against the reports of every later kind it is compared with, in one sparse
    # product: a window in fifteen languages would otherwise pay a hundred.
    pairs = []
    for k, (script, language) in enumerate(kinds[:-1]):
        other_script = scripts != script
        other_language = (languages != language) & (languages != "") & bool(language)
        ib = np.flatnonzero((kind > k) & (other_script | other_language))
        if len(ib):
            pairs.append((np.flatnonzero(kind == k), ib, ~other_script[ib]))
    if not pairs:  # one script, and one language or unknown ones: no anchors to read
        return
    x, counted, meets = _anchor_vectors(docs, params)
    for ia, ib, keep in pairs:  # keep: the columns whose words meet the rows'
        xt, countedt = (meets @ x[ib].T).tocsc(), (meets @ counted[ib].T).tocsc()
        names_t = names[ib].T.tocsc() if names is not None else None
        for s in _blocks(len(ia)):
            rows = ia[s : s + _BLOCK]
            block = sim[np.ix_(rows, ib)]
            enough = (counted[rows] @ countedt).toarray() >= params.anchor_min
            value = (x[rows] @ xt).toarray() * np.float32(params.anchor_weight)
            if names_t is not None:
                words = np.maximum(block - (names[rows] @ names_t).toarray(), 0.0)
                # In one script, the names keep counting where the words meet too: as little
                # as two scripts' words do, and they are all the pair has, as in two scripts.
                spoken = keep & (words >= params.direct_floor)
                block = np.where(enough | spoken, block, words)
            block = np.where(enough, np.maximum(block, value), block)
            sim[np.ix_(rows, ib)] = block
            sim[np.ix_(ib, rows)] = block.T


def _anchor_vectors(
    docs: Sequence[ClusterDoc], params: ClusterParams
) -> tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]:
    """Each report's anchors weighted (``x``), those that count towards ``anchor_min``
    (``counted``: not the common names), and which anchors meet which (``meets``): a weak
    word and the same word capitalised mid-sentence are one name of one weight, and meet;
    two weak words do not."""
    country = frozenset(anchors.name_words(w) for w in (*params.stop_words, *params.stop_stems))
    keys = [
        anchors.report_anchors(
            d.title,
            d.lead,
            (*d.entities, *d.places),
            d.outlet,
            _stop(d.language),
            country,
            nouns_capitalised=_language(d) in _NOUNS_CAPITALISED,
        )
        for d in docs
    ]
    present, vocab = _incidence([sorted(k) for k in keys])
    if not vocab:  # no report names anyone or anything but the country: nothing to compare
        empty = sparse.csr_matrix((len(docs), 0), dtype=np.float32)
        return empty, empty, sparse.csr_matrix((0, 0), dtype=np.float32)
    base = np.array([vocab.get(k.removeprefix(anchors.WEAK), i) for k, i in vocab.items()])
    df = np.bincount(base, np.asarray(present.sum(axis=0)).ravel(), minlength=len(base))
    x = _weighted(present, params.entity_prior, df[base])
    weak = np.array([k.startswith(anchors.WEAK) for k in vocab], bool)
    linked = np.flatnonzero(weak & (base != np.arange(len(base))))
    links = sparse.csr_matrix(
        (np.ones(len(linked), np.float32), (linked, base[linked])), shape=(len(base),) * 2
    )
    meets = sparse.csr_matrix(sparse.diags((~weak).astype(np.float32)) + links + links.T)
    # A common name's words too: "Токаева" alone is the president's surname.
    keys_of_common = (anchors.name_words(n) for n in params.common_names)
    common = {k for key in keys_of_common for k in (key, *key.split())}
    counts = np.array([k.removeprefix(anchors.WEAK) not in common for k in vocab], np.float32)
    return x, sparse.csr_matrix(present @ sparse.diags(counts)), meets


@functools.lru_cache(maxsize=64)
def _stop(language: str | None) -> frozenset[str]:
    """Words a capitalised word of a report in ``language`` is not taken for a name for."""
    return frozenset(ENGLISH_STOP_WORDS | language_stop_words(language))


def _blocks(n: int) -> range:
    return range(0, n, _BLOCK)


def _gram(x: sparse.csr_matrix) -> np.ndarray:
    """``x @ xᵀ`` as a dense float32 array, a block of rows at a time (the sparse product of
    full-text features is nearly dense, and three times the size of the dense result)."""
    n = x.shape[0]
    out = np.empty((n, n), np.float32)
    xt = x.T.tocsc()
    for s in _blocks(n):
        out[s : s + _BLOCK] = (x[s : s + _BLOCK] @ xt).toarray()
    return out


def _lone_name(x: sparse.csr_matrix, words: int, direct: float) -> Callable[..., np.ndarray]:
    """For a block of rows: the pairs whose evidence is one shared name and (nearly) no word.

    The smoothing must not raise them. Two tight groups of reports (wire copies, an outlet's
    updates, one language's reports) that share only the president's name got that weak
    evidence once from each member: 0.07 became 0.21, and a Russian report of a law on the
    digital tenge joined the English reports of a nuclear plant's site. Two shared names, or
    shared words, still vouch as before.
    """
    names = x[:, words:].tocsr()
    named = names.copy()
    named.data[:] = 1.0
    names_t, named_t = names.T.tocsc(), named.T.tocsc()

    def block(s: int, sim: np.ndarray) -> np.ndarray:
        """``sim``: the block's similarities before smoothing (words' plus names')."""
        shared = (named[s : s + _BLOCK] @ named_t).toarray()
        by_name = (names[s : s + _BLOCK] @ names_t).toarray()
        return (shared == 1) & (sim - by_name < direct)

    return block


def _smooth(
    sim: np.ndarray,
    k: int,
    weight: float,
    floor: float,
    direct: float,
    lone: Callable[..., np.ndarray] | None = None,
) -> None:
    """Add neighbour evidence in place: how alike each document is to the other's neighbours.

    ``sim + weight * (WS + (WS)ᵀ) / 2`` with W the mean over each document's k nearest (those
    at least ``floor`` alike) and S without its diagonal, so a pair that are each other's only
    neighbours gain nothing: only third documents vouch for a pair. Shared neighbours alone do
    not make two reports one story: pairs less than ``direct`` alike keep their similarity (two
    mutual sole neighbours would become equal).
    """
    n = sim.shape[0]
    nearest = np.empty((n, k), np.int64)
    for s in _blocks(n):
        nearest[s : s + _BLOCK] = np.argpartition(-sim[s : s + _BLOCK], k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    # Uniform weights over the real neighbours (similarity weights did worse on UCI half A).
    values = (sim[rows, nearest.ravel()] >= floor).astype(np.float32)
    w = sparse.csr_matrix((values, (rows, nearest.ravel())), shape=(n, n))
    totals = np.asarray(w.sum(axis=1)).ravel()
    totals[totals == 0] = 1.0
    w = sparse.csr_matrix(sparse.diags((1.0 / totals).astype(np.float32)) @ w)
    ws = np.asarray(w @ sim, dtype=np.float32)
    for s in _blocks(n):
        block = sim[s : s + _BLOCK]
        gain = ws[s : s + _BLOCK] + ws[:, s : s + _BLOCK].T
        gain *= np.float32(weight / 2)
        gain += block
        raise_ = block >= direct
        if lone is not None:
            raise_ &= ~lone(s, block)
        np.copyto(block, gain, where=raise_)


def _discount_time(sim: np.ndarray, docs: Sequence[ClusterDoc], params: ClusterParams) -> None:
    # An undated article is placed at the window's mean date: weak, not zero, time evidence.
    stamps = np.array([d.when.timestamp() / 86400.0 if d.when else np.nan for d in docs])
    if np.isnan(stamps).all():
        return
    stamps = np.where(np.isnan(stamps), np.nanmean(stamps), stamps).astype(np.float32)
    window = np.float32(params.same_day_hours / 24.0)
    rate = np.float32(-1.0 / params.half_life_days)
    for s in _blocks(len(docs)):
        late = np.abs(stamps[s : s + _BLOCK, None] - stamps[None, :]) - window
        np.maximum(late, 0.0, out=late)
        late *= rate
        sim[s : s + _BLOCK] *= np.exp2(late, out=late)


def cluster(
    docs: Sequence[ClusterDoc],
    params: ClusterParams | None = None,
    seeds: Sequence[Sequence[int]] = (),
    background: Sequence[ClusterDoc] = (),
) -> list[list[int]]:
    """Groups of ``docs`` indexes, one per story, largest first.

    ``seeds`` are groups that already exist (indexes into ``docs``); each stays one group,
    new documents may join it, and no two seeds merge. ``background``: see `similarity`.
    """
    if not docs:
        return []
    params = params or ClusterParams()
    one = np.zeros((1, 1), np.float32)
    sim = similarity(docs, params, background) if len(docs) > 1 else one
    return _AverageLink(sim, seeds).run(params.threshold)


class _AverageLink:
    """Average-link agglomeration on a dense matrix of linkage sums, one merge at a time.

    Sums add when groups merge, so the average between any two groups is one division away;
    each row keeps its best partner, and only rows whose partner changed are searched again.
    """

    def __init__(self, sim: np.ndarray, seeds: Sequence[Sequence[int]]) -> None:
        """Takes ``sim`` over: merging overwrites it."""
        n = sim.shape[0]
        self.sums = sim.astype(np.float32, copy=False)  # owns it: a copy is 400 MB at 10k
        self.size = np.ones(n, np.float32)
        self.active = np.ones(n, bool)
        self.seeded = np.zeros(n, bool)
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        for group in seeds:
            head = group[0]
            self.seeded[head] = True
            for other in group[1:]:
                self._merge(head, other)
        self.best = np.full(n, -1.0, np.float32)
        self.partner = np.zeros(n, np.int64)
        for i in np.flatnonzero(self.active):
            self._search(int(i))

    def _merge(self, a: int, b: int) -> None:
        self.sums[a] += self.sums[b]
        self.sums[:, a] = self.sums[a]
        self.sums[a, a] = 0.0
        self.sums[b] = 0.0
        self.sums[:, b] = 0.0
        self.size[a] += self.size[b]
        self.active[b] = False
        self.seeded[a] |= self.seeded[b]
        self.members[a].extend(self.members.pop(b))

    def _row(self, i: int) -> np.ndarray:
        row = self.sums[i] / (self.size[i] * self.size)
        row[~self.active] = -1.0
        row[i] = -1.0
        if self.seeded[i]:
            row[self.seeded] = -1.0  # two existing stories never merge here
        return row

    def _search(self, i: int) -> None:
        row = self._row(i)
        j = int(np.argmax(row))
        self.best[i], self.partner[i] = row[j], j

    def run(self, threshold: float) -> list[list[int]]:
        best = np.where(self.active, self.best, -1.0)
        # ``best`` is exact for clean rows and an upper bound for dirty ones (their partner
        # grew or went): a dirty row is searched again only when it comes out on top.
        dirty = np.zeros_like(self.active)
        while True:
            i = int(np.argmax(best))
            if best[i] < threshold:
                break
            if dirty[i]:
                self._search(i)
                best[i], dirty[i] = self.best[i], False
                continue
            j = int(self.partner[i])
            a, b = (i, j) if self.seeded[i] or not self.seeded[j] else (j, i)
            self._merge(a, b)
            best[b] = -1.0
            dirty |= self.active & ((self.partner == a) | (self.partner == b))
            self._search(a)
            best[a], dirty[a] = self.best[a], False
            row = self._row(a)  # others may now prefer the grown group
            better = self.active & (row > best)
            self.partner[better] = a
            best[better] = row[better]
        groups = (sorted(m) for m in self.members.values())
        return sorted(groups, key=lambda m: (-len(m), m[0]))
