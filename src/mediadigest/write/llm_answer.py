"""What the LLM writer accepts as an answer: plain prose of a few sentences, never a refusal,
markup, a Python repr or the text "None", a preamble ("Here is the summary: "), broken or
hidden characters, a quotation spanning sentences, a repeated sentence or the attribution
line; and how it names the endpoint in notes and logs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from mediadigest.write.summarise import sentences

__all__ = ["NoAnswer", "endpoint_of", "one_line", "prose"]


class NoAnswer(Exception):
    """This request got no usable answer (the endpoint may answer the next one)."""


def endpoint_of(url: str) -> str:
    """``scheme://host:port`` of ``url``: never its userinfo (``user:key@``), path or query,
    which may carry credentials."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return "(an unreadable URL)"
    if not parts.hostname:
        return "(a URL without a host)"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


def one_line(text: str, limit: int = 400) -> str:
    """``text`` on one line (a note is one line of the CLI's output), at most ``limit`` long."""
    flat = " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MARKUP = re.compile(
    r"</?[A-Za-z][^>]*>|!?\[[^\]]*\]\([^)]*\)|^\s*#|`|\bhttps?://|\bwww\.|\|\s*-{3}|[*_]{2}|&\w+;",
    re.MULTILINE,
)
_REFUSAL = re.compile(
    r"\b(?:sorry|apologi[sz]e|as an ai|language model|I can(?:not|['’]t)|I['’]m (?:not able|unable)"
    r"|I am (?:not able|unable)|I (?:won['’]t|will not)|unable to (?:help|assist|comply))\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I['’](?:m|ve|ll|d))(?!\w)|\b(?:me|my|myself)\b")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
# A reasoning model's thoughts before its answer: not the answer, and markup to the checks.
_THINKING = re.compile(r"^\s*<(think|thinking|reasoning)>.*?</\1>", re.IGNORECASE | re.DOTALL)
# Chatter before the answer. Rejected, not cut off: a label is not always cleanly one
# ("Here is a summary of the article on the ferry line: ..."), and the extractive text
# is at hand.
_PREAMBLE = re.compile(
    r"^(?:(?:sure|certainly|okay|ok|of course)\b[^.:!?]{0,40}[.:!,]\s*)?"
    r"(?:here(?:['’]s| is| are)\b|in (?:short|summary|brief|sum)\b|to summari[sz]e\b"
    r"|(?:[^\s.:!?]+\s+){0,8}?(?:summary|summari[sz]ed|rewrite|rewritten|rewording|paragraph"
    r"|article|intro|introduction|item|version)\b[^.:!?]{0,30}:)",
    re.IGNORECASE,
)
# C0 and C1 controls (line breaks aside), bidirectional overrides and isolates, and U+FFFD:
# an answer decoded wrongly, or text that shows other than it reads.
_HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd]")
# "Britain?s", "Dec. 15?21": an apostrophe or dash a latin-1 answer lost.
_LOST = re.compile(r"(?<=[^\W_])\?(?=[^\W_])")
# The item's attribution line, which the renderers print already ("… published an article
# on Dec. 17 by …", "… reported on Dec. 16."): the prompt says not to repeat it.
_ATTRIBUTION = re.compile(
    r"[^.]{1,80}? (?:published (?:an article|an analysis|an opinion piece|an interview"
    r"|a press release|sponsored content)|reported)"
    r"(?: in [A-Z]\w+)?(?: on [A-Z][a-z]{2,8}\.? \d{1,2})?(?:,? (?:by|with|citing) [^.]{1,80})?\.",
)


def _text(payload: Any) -> str:
    """The text of an OpenAI chat completion, its content a string or a list of text parts;
    ``NoAnswer`` for anything else (``null`` read as a string was published as "None")."""
    if isinstance(payload, dict) and "error" in payload and "choices" not in payload:
        # Not its message: a provider's may quote the key it refused.
        raise NoAnswer("the endpoint answered with an error")
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise NoAnswer("no chat completion in the answer") from exc
    if isinstance(content, list):
        parts = [p.get("text") if isinstance(p, dict) else p for p in content]
        if parts and all(isinstance(p, str) for p in parts):
            return "".join(parts)
    if isinstance(content, str):
        return content
    raise NoAnswer(f"no text in the answer (content is {type(content).__name__})")


def prose(payload: Any, max_sentences: int, max_chars: int) -> str:
    """The answer as one paragraph of plain prose; ``NoAnswer`` saying why it is not one.

    List bullets and bold marks are taken off (a model given a list of evidence may answer
    with one); any other markup (HTML, links, headings, code) makes the answer unusable: the
    renderers would publish it literally, or as live HTML.
    """
    text = _THINKING.sub("", _text(payload), count=1)
    if _HIDDEN.search(text):
        raise NoAnswer("the answer has control, bidirectional or replacement characters")
    text = _EMPHASIS.sub(r"\2", _BULLET.sub("", text))
    if _MARKUP.search(text):
        raise NoAnswer("the answer has markup or links")
    text = " ".join(text.split())
    if not text:
        raise NoAnswer("empty answer")
    if _PREAMBLE.match(text):
        raise NoAnswer("the answer opens with a preamble, not the item")
    if _LOST.search(text):
        raise NoAnswer("the answer has a '?' inside a word (a character lost to its encoding)")
    outside = _QUOTED.sub(" ", text)
    if _REFUSAL.search(outside):
        raise NoAnswer("the answer is a refusal or a comment, not the item")
    if _FIRST_PERSON.search(outside):
        raise NoAnswer("the answer speaks in the first person")
    count = len(sentences(text))
    if count > max_sentences or len(text) > max_chars:
        raise NoAnswer(
            f"the answer is too long ({count} sentences, {len(text)} characters; "
            f"at most {max_sentences} and {max_chars})"
        )
    _check_sentences(text)
    return text


def _check_sentences(text: str) -> None:
    """``NoAnswer`` where a quotation is not closed in its sentence (an answer wrapped in
    quotation marks is an unattributed quote, which the grounding of each sentence alone
    does not see), where a sentence comes twice, or one is the attribution line."""
    seen: set[tuple[str, ...]] = set()
    for sentence in sentences(text):
        said = sentence.text
        if said.count("“") != said.count("”") or said.count("«") != said.count("»"):
            raise NoAnswer("a quotation spans sentences or is not closed")
        if said.count('"') % 2:
            raise NoAnswer("a quotation spans sentences or is not closed")
        words = tuple(re.findall(r"\w+", said.lower()))
        if words in seen:
            raise NoAnswer("the answer repeats a sentence")
        seen.add(words)
        if _ATTRIBUTION.fullmatch(said):
            raise NoAnswer("the answer repeats the attribution line")
