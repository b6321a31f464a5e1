"""Optional abstractive writer: an OpenAI-compatible chat endpoint rewrites items from evidence.

The model sees only the extracted evidence of an item (its sentences and quote) and rewrites
the summary as prose; the attribution line and the quote stay locked. Every sentence it writes
must be grounded: its names, numbers and dates must occur in the item's source articles. An
item whose rewrite fails the check, times out or errs keeps its extractive text, and the
digest's ``notes`` say why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import httpx

from mediadigest.errors import ConfigError
from mediadigest.model import Article, Digest, DigestItem
from mediadigest.write.summarise import sentences

log = logging.getLogger(__name__)

__all__ = ["LLMConfig", "grounding_problems", "rewrite"]

_NAME = re.compile(r"\b[A-ZА-ЯЁ][\w'’-]*(?:\s+[A-ZА-ЯЁ][\w'’-]*)*")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_OPENERS = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "As",
    "It",
    "Its",
    "This",
    "That",
    "These",
    "Those",
    "He",
    "She",
    "They",
    "We",
    "According",
    "After",
    "While",
    "But",
    "And",
    "Meanwhile",
    "However",
    "Also",
    "Both",
    "Such",
    "For",
    "With",
    "By",
    "From",
}
SYSTEM = (
    "You edit a weekly digest of foreign media coverage. Rewrite the evidence as 2 to 4 plain, "
    "neutral sentences of prose for one digest item. Use only facts stated in the evidence: no "
    "new names, numbers or dates, no opinions. Do not repeat the attribution or the quote. "
    "Answer with the sentences only."
)


@dataclass(slots=True, frozen=True)
class LLMConfig:
    """Where the chat endpoint is: ``url`` is the API base (``…/v1``), ``model`` its name."""

    url: str
    model: str
    key: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LLMConfig:
        """From ``MEDIADIGEST_LLM_URL``, ``_MODEL``, ``_KEY``, ``_TIMEOUT`` (the CLI passes env)."""
        url, model = env.get("MEDIADIGEST_LLM_URL"), env.get("MEDIADIGEST_LLM_MODEL")
        if not url or not model:
            raise ConfigError("--writer llm needs MEDIADIGEST_LLM_URL and MEDIADIGEST_LLM_MODEL")
        try:
            timeout = float(env.get("MEDIADIGEST_LLM_TIMEOUT", "30"))
        except ValueError as exc:
            raise ConfigError(f"MEDIADIGEST_LLM_TIMEOUT: not a number ({exc})") from exc
        return cls(url.rstrip("/"), model, env.get("MEDIADIGEST_LLM_KEY"), timeout)


_WORD = re.compile(r"[\w’'-]+")
_POSSESSIVE = re.compile(r"[’']s?$")


def _bare(word: str) -> str:
    """``Tokayev's`` and ``Tokayev’`` as ``Tokayev``; quote marks off the ends."""
    return _POSSESSIVE.sub("", word.strip("’'-")).strip("’'-")


def _tokens(sentence: str) -> list[tuple[str, bool]]:
    """The names, numbers and dates a sentence asserts, each with whether it opens the
    sentence (where any word has a capital, so it may be a common word)."""
    found = [(m.group().replace(",", ""), False) for m in _NUMBER.finditer(sentence)]
    for m in _NAME.finditer(sentence):
        words = m.group().split()
        first = m.start() == 0
        if first and words[0] in _OPENERS:
            words, first = words[1:], False
        found.extend((w, first and n == 0) for n, w in enumerate(map(_bare, words)) if w)
    return found


def grounding_problems(text: str, sources: Sequence[str]) -> list[str]:
    """Names, numbers and dates in ``text`` that no source contains (empty: grounded).

    Whole words and whole numbers: a model's "4 million" is not grounded by a source's
    "2024", nor "Ira" by "Iran" (a substring test let both through). A sentence's first word
    may be a common word ("Officials said"), so it is grounded by the word in any case.
    """
    corpus = " ".join(sources)
    numbers = {m.group().replace(",", "") for m in _NUMBER.finditer(corpus)}
    words = {_bare(w) for w in _WORD.findall(corpus)}
    lowered = {w.lower() for w in words}
    missing = set()
    for s in sentences(text):
        for token, opens in _tokens(s.text):
            if token[0].isdigit():
                grounded = token in numbers
            else:
                grounded = token in words or (opens and token.lower() in lowered)
            if not grounded:
                missing.add(token)
    return sorted(missing)


class _NoAnswer(Exception):
    """This request got no usable answer (the endpoint may answer the next one)."""


def _ask(client: httpx.Client, config: LLMConfig, prompt: str) -> str:
    """The model's answer; ``_NoAnswer`` with the reason, or the httpx error itself where the
    endpoint is down (see ``_endpoint_down``)."""
    headers = {"Authorization": f"Bearer {config.key}"} if config.key else {}
    body = {
        "model": config.model,
        "temperature": 0,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
    }
    try:
        response = client.post(f"{config.url}/chat/completions", json=body, headers=headers)
        response.raise_for_status()
        return str(response.json()["choices"][0]["message"]["content"]).strip()
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        if _endpoint_down(exc):
            raise
        raise _NoAnswer(f"{type(exc).__name__}: {exc}") from exc


def _endpoint_down(exc: Exception) -> bool:
    """Errors every further request would meet too: no connection, no answer in time, a
    refused key, a wrong URL or model. Asking again for each item multiplied the wait (ten
    items of a hung endpoint: eleven timeouts) and the identical notes."""
    if isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in {401, 403, 404}


def _prompt(item: DigestItem) -> str:
    quote = f"\nQuote (locked, do not repeat): {item.quote.text}" if item.quote else ""
    evidence = "\n".join(f"- {s}" for s in item.summary)
    return (
        f"Headline: {item.headline}\nAttribution (locked): {item.attribution}{quote}\n"
        f"Evidence:\n{evidence}"
    )


def _rewrite_item(
    client: httpx.Client, config: LLMConfig, item: DigestItem, sources: Sequence[str]
) -> tuple[DigestItem, str | None]:
    """The item with the model's prose, or unchanged with the reason it was kept."""
    if not item.summary:
        return item, None  # a headline-only item has nothing to rewrite from
    try:
        text = _ask(client, config, _prompt(item))
    except _NoAnswer as exc:
        return item, str(exc)
    prose = [s.text for s in sentences(" ".join(text.split()))]
    if not prose:
        return item, "empty answer"
    if missing := grounding_problems(" ".join(prose), sources):
        return item, "not in the sources: " + ", ".join(missing[:5])
    return replace(item, summary=prose), None


def rewrite(
    digest: Digest,
    articles: Mapping[int, Article],
    config: LLMConfig,
    *,
    transport: httpx.BaseTransport | None = None,
) -> Digest:
    """The digest with each item's summary rewritten where the rewrite is grounded."""
    items, notes, written = [], list(digest.notes), 0
    intro, problem = digest.intro, None
    with httpx.Client(timeout=config.timeout, transport=transport) as client:
        try:
            for n, item in enumerate(digest.items, 1):
                ids = {int(e["article_id"]) for e in item.evidence if e.get("article_id")}
                sources = [f"{a.title}\n{a.text}" for i in ids if (a := articles.get(i))]
                new, problem = _rewrite_item(client, config, item, sources)
                if problem:
                    notes.append(f"item {n}: kept the extractive text ({problem})")
                    log.debug("llm writer, item %d: %s", n, problem)
                elif new is not item:
                    written += 1
                items.append(new)
            intro, problem = _rewrite_intro(client, config, digest, items, articles)
            if problem:
                notes.append(f"intro: kept the extractive text ({problem})")
        except httpx.HTTPError as exc:
            done = len(items)
            items.extend(digest.items[done:])
            if done == len(items):
                what = "the intro keeps"
            elif done == 0:
                what = "every item and the intro keep"
            else:
                what = f"items {done + 1} to {len(items)} and the intro keep"
            notes.append(
                f"the LLM endpoint {config.url} failed ({type(exc).__name__}: {exc}); "
                f"{what} the extractive text"
            )
    if written:
        notes.append(
            f"{written} item(s) rewritten by {config.model}; their evidence lists "
            "the extracted sentences they were written from"
        )
    writer = "llm" if written or intro != digest.intro else digest.writer
    return replace(digest, intro=intro, items=items, notes=notes, writer=writer)


def _rewrite_intro(
    client: httpx.Client,
    config: LLMConfig,
    digest: Digest,
    items: Sequence[DigestItem],
    articles: Mapping[int, Article],
) -> tuple[str, str | None]:
    if not items:
        return digest.intro, None
    listed = "\n".join(f"- {i.headline}: {' '.join(i.summary[:1])}" for i in items)
    prompt = (
        f"Write the digest's opening paragraph (two sentences): what was selected and, in "
        f"one sentence, the week's main stories.\nCurrent intro: {digest.intro}\n"
        f"Stories:\n{listed}"
    )
    try:
        text = " ".join(_ask(client, config, prompt).split())
    except _NoAnswer as exc:
        return digest.intro, str(exc)
    sources = [digest.intro, *(f"{a.title}\n{a.text}" for a in articles.values())]
    if not text:
        return digest.intro, "empty answer"
    if missing := grounding_problems(text, sources):
        return digest.intro, "not in the sources: " + ", ".join(missing[:5])
    return text, None
