"""Compose a period's digest: stories ranked and selected, each written up with its evidence.

``build_digest`` is what the CLI and the web app call: it brings the stories up to date, ranks
them against the last published digest, selects with diversity and the editors' pins and
hides, and writes each item (attribution, 2-4 extracted sentences, a verified quote, the other
outlets, framing by country), then the intro and the week-over-week line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa

from mediadigest.analyse import kind, language, quotes
from mediadigest.model import Article, Digest, DigestItem, Quote, Story
from mediadigest.profile import Profile
from mediadigest.profile_model import domain_country
from mediadigest.stories import grouping, rank, select
from mediadigest.write import attribute, credit, framing, style, trend
from mediadigest.write.llm import LLMConfig, rewrite
from mediadigest.write.summarise import Evidence, summarise_story

log = logging.getLogger(__name__)

DEFAULT_SIZE = select.MAX_ITEMS
MAX_NAMED = 6  # outlets named in an item's "also covered by" line
MAX_REPORTS = 8  # reports an item is summarised from
# Least likeness (rank.akin) of a report to the lead for the item to quote it: reports of one
# event scored 0.25-0.48 on real pages, reports grouped by a shared name only 0.00-0.17.
KIN = 0.2


def build_digest(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    *,
    size: int = DEFAULT_SIZE,
    update: bool = True,
    llm: LLMConfig | None = None,
    publisher: str | None = None,
) -> Digest:
    """The digest for ``since``..``until`` (inclusive), from what is stored; ``publisher``
    names who selects, in the intro (see `intro`).

    With ``llm``, items and intro are rewritten by the chat endpoint where the rewrite is
    grounded in the sources (see ``write.llm``); the extractive text stays otherwise.
    """
    if update:
        grouping.update_period(conn, profile, since, until)
    stories = grouping.for_period(conn, profile, since, until)
    last_items = rank.previous_items(conn, profile, since)
    ranked = rank.rank(stories, profile, until=until, previous=last_items)
    picked = select.select(ranked, select.Selection.of_size(size))
    items = [compose_story(s, profile, since=since) for s in picked]
    opening = intro(items, profile, since, until, publisher)
    digest = Digest(since, until, opening, items, profile.name)
    # Hidden stories are not in the digest, nor in its count of the week's stories.
    shown = [s for s in stories if not s.hidden]
    digest.trend = trend.week_over_week(conn, profile, since, until, shown, last_items)
    if llm is not None:
        digest = rewrite(digest, {a.id: a for s in picked for a in s.articles if a.id}, llm)
    return digest


def compose_item(art: Article, profile: Profile) -> DigestItem:
    """One article as an item of its own (the web app regenerates items this way)."""
    story = Story(None, art.title, [art])
    story.themes = rank.story_themes(story, profile)
    return compose_story(story, profile)


def compose_story(story: Story, profile: Profile, *, since: date | None = None) -> DigestItem:
    """The item for one story: every sentence from a stored article, with its span."""
    tellers = _tellers(story)
    lead = story_lead(story)
    written_from = rank.coverage(lead)
    # The most relevant reports beside the lead: a story in 200 outlets needs no 200 to summarise.
    # Only reports that tell what the lead tells lend it sentences and quotes: one grouped in
    # by a shared name (CNN on Trump's health, NYT on his trade war) would mix two stories.
    # And only reports in the lead's language: an item is written in one language, and a
    # Russian sentence or quote in an English item would go out untranslated.
    same_language = (a for a in tellers if a is not lead and _language(a) == _language(lead))
    others = sorted(
        rank.akin(lead, same_language, KIN),
        key=lambda a: -a.relevance.score,
    )[: MAX_REPORTS - 1]
    # Items from a headline or a lead go no further than that one source.
    sources = [lead] if written_from != "text" else [lead, *others]
    picked = attribute.pick_quote(sources, profile) if written_from == "text" else None
    # Not the whole quote again in the summary, though the item quotes one paragraph of it.
    avoid = [(art.id or 0, q.start, q.end) for q, art in [picked]] if picked else []
    if picked:
        picked = (quotes.one_paragraph(picked[0], picked[1].text), picked[1])
        # Nor the quote's words in another report's sentence: "“We will build the plant by
        # 2030,” the deputy prime minister said." in the summary, then the quote again.
        avoid += [
            (a.id or 0, start, end)
            for a in sources
            for start, end in attribute.quote_spans(picked[0].text, a)
        ]
    # A roundup's item opens with its own attribution sentence: the lead's is its line, and
    # no summary repeats one ("… reported on Dec. 18 that Japan’s Jiji Press reported …").
    retold = [(a, line) for a in sources if (line := _retold_line(a, written_from))]
    avoid += [(a.id or 0, *line.sentence) for a, line in retold]
    own_line = any(a is lead for a, _ in retold)
    evidence = _summary(sources, profile, written_from, avoid, lead_opens=not own_line)
    if (own := next((line for a, line in retold if a is lead), None)) is not None:
        lede = attribute.Lede(own.line, absorbs=own.rest is not None)
        evidence = [own.rest, *evidence] if own.rest is not None else evidence
    else:
        # The line runs on only into the lead's own sentence: it credits the lead.
        first = evidence[0].text if evidence and evidence[0].article_id == (lead.id or 0) else None
        lede = attribute.attribution(lead, profile, first=first, written_from=written_from)
    if lede.absorbs and lede.kept is not None:  # the line took the sentence less its end
        e = evidence[0]
        evidence[0] = replace(e, text=e.text[: lede.kept], end=e.start + lede.kept)
    told = evidence[1:] if lede.absorbs else evidence
    summary = _credited(told, lead, sources, profile)
    told_ids = {e.article_id for e in told}
    who = credit.credit(lead, profile)
    return DigestItem(
        headline=kind.without_credit(lead.title or story.title),
        outlet=who.outlet,
        outlet_country=who.country,
        published=who.day,
        author=who.author,
        summary=summary,
        quote=_quoted(picked, sources, [lede.text, *summary]) if picked else None,
        attribution=lede.text,
        themes=list(story.themes),
        sources=_sources(lead, story, profile),
        evidence=_evidence(evidence, lede.absorbs, picked),
        article_id=lead.id,
        story_id=story.id,
        kind=getattr(lead, "kind", "news") or "news",
        written_from=written_from,
        note=attribute.source_note(written_from),
        also=also_line(
            lead,
            story,
            profile,
            quoted=picked[1] if picked else None,
            credited=[a for a in sources if (a.id or 0) in told_ids and a is not lead],
        ),
        framing=framing.describe(_told_by(story, tellers), profile)
        if written_from == "text"
        else None,
        reasons=list(story.reasons),
        status=_status(story, since),
        score=round(story.score, 3),
        # Not _language's: an unknown language is not English here, but unknown.
        language=(lead.language or "").split("-")[0].casefold() or None,
    )


def story_lead(story: Story) -> Article:
    """The report an item tells its story from (the review page heads the story with it)."""
    return rank.lead_article(_tellers(story) or story.articles)


def _tellers(story: Story) -> list[Article]:
    """The reports an item may be told from: those about the country in their own right. A
    report that joined its story only through it (``via_story``: relevant as part of the story,
    below the threshold alone) stays in the story and its sources, but lends no sentence, quote
    or framing: Reuters on Uzbekistan's gas imports, in a story on a Kazakh gas deal by their
    shared words, gave the item "Gazprom supplies the gas via pipelines that cross neighbouring
    Kazakhstan." Where every report is one, the story has nothing else to be told from."""
    own = [a for a in story.reports if a.id not in story.via_story]
    return own or story.reports


def _told_by(story: Story, tellers: list[Article]) -> Story:
    """The story as framing compares it: its reports that may tell it, copies kept."""
    if len(tellers) == len(story.reports):
        return story
    kept = {a.id for a in tellers} | set(story.duplicates)
    return replace(story, articles=[a for a in story.articles if a.id in kept])


def _retold_line(art: Article, written_from: str) -> credit.Retold | None:
    """A roundup item's own attribution sentence as its line, where the item is written from
    its text in English: the line is the sentence as the item has it."""
    if written_from == "headline" or _language(art) != "en":
        return None
    return credit.retold_line(art)


def _credited(
    evidence: list[Evidence], lead: Article, sources: Sequence[Article], profile: Profile
) -> list[str]:
    """The summary's sentences, those of another report than the lead's with their credit:
    the attribution line names one report, and a sentence of another (another outlet's, or
    the same outlet's of another day) read as the lead's. Sentences come grouped by report:
    the first of each group is credited, the rest go on from it (an opinion piece's are each
    argued by its author: `attribute.credited`)."""
    by_id = {a.id or 0: a for a in sources}
    out: list[str] = []
    previous = lead.id or 0
    for e in evidence:
        art = by_id.get(e.article_id, lead)
        again = e.article_id == previous
        told = (
            e.text if art is lead else attribute.credited(e.text, art, lead, profile, again=again)
        )
        out.append(told)
        previous = e.article_id
    return out


def _quoted(picked: tuple[Quote, Article], sources: Sequence[Article], told: list[str]) -> Quote:
    """The quote, its speaker spelled as the item's sentences spell them: analyse names a
    speaker as the profile does ("Mikheil Saakashvili"), and a sentence of the report may
    write "Mikhail Saakashvili": one item, one spelling. Cyrillic names in Latin letters."""
    quote, _ = picked
    speaker = quote.speaker or ""
    text = " ".join(told)
    words = len(speaker.split())
    spellings = (
        v
        for art in sources
        for e in art.entities
        if e.name == speaker
        for v in e.variants
        if len(v.split()) == words and v != speaker
    )
    speaker = next((v for v in spellings if v in text), speaker)
    if not style.in_latin(speaker):
        # The profile's own spelling, not a transliteration of another script's: a Russian
        # report's "Касым-Жомарт Токаев" read "Kasym-Zhomart Tokayev" beside the digest's
        # "Kassym-Jomart Tokayev".
        speaker = next(
            (h.canonical for art in sources for h in art.relevance.hits
             if h.kind == "person" and _spells(h.alias, speaker, h.canonical)),
            speaker,
        )  # fmt: skip
    return replace(quote, speaker=style.latin_name(speaker) or None)


def _spells(alias: str, name: str, canonical: str = "") -> bool:
    """Whether ``name`` is written as the profile's ``alias`` (word by word, ``*`` a prefix),
    or, for a one-word alias, names the ``canonical`` person by surname and given name."""
    wanted = alias.casefold().replace("-", " ").split()
    words = name.casefold().replace("-", " ").split()
    if len(wanted) == 1 and len(words) > 1 and canonical:
        return _same_person(wanted[0].rstrip("*"), words, canonical)
    if len(wanted) != len(words):
        return False
    return all(
        w.startswith(a.rstrip("*")) if a.endswith("*") else w == a
        for a, w in zip(wanted, words, strict=True)
    )


def _same_person(surname: str, words: list[str], canonical: str) -> bool:
    """A profile's surname alias ("Бочоришвили", a stem once matched) on a speaker's last word,
    with a given name that begins as the canonical one does once in Latin letters: "Мака
    Бочоришвили" is "Maka Botchorishvili", "Нино Бочоришвили" someone else."""
    given = style.latin_name(words[0]).casefold()[:1]
    return bool(surname) and words[-1].startswith(surname) and canonical.casefold()[:1] == given


def _language(art: Article) -> str:
    return "en" if rank.in_english(art) else (art.language or "").split("-")[0].casefold()


def _summary(
    sources: Sequence[Article],
    profile: Profile,
    written_from: str,
    avoid: list,
    *,
    lead_opens: bool = True,
) -> list[Evidence]:
    if written_from == "headline":
        return []
    count = 2 if written_from == "lead" else 3
    # A cut-off sentence only where the item says it was written from the lead.
    cut_off = written_from == "lead"
    # The attribution line credits the lead: a sentence of its own follows it (a roundup's
    # item opens with its own attribution sentence instead).
    return summarise_story(
        sources, profile, count=count, avoid=avoid, cut_off=cut_off, lead_opens=lead_opens
    )


def _evidence(
    evidence: list[Evidence], absorbed: bool, picked: tuple | None
) -> list[dict[str, int | str]]:
    """Where each sentence of the item came from (docs/digest-json.md).

    ``part`` says which: ``attribution`` (the first sentence, run on into the attribution line;
    ``sentence`` -1, as digests stored before have it), ``summary`` (``sentence`` is its index
    in ``summary``) or ``quote``. Read ``part``: ``summary[-1]`` is the last summary sentence.
    """
    out: list[dict[str, int | str]] = []
    for i, e in enumerate(evidence):
        index = i - 1 if absorbed else i
        part = "attribution" if index < 0 else "summary"
        span = {"article_id": e.article_id, "start": e.start, "end": e.end}
        out.append({"sentence": index, "part": part, **span})
    if picked:
        quote, art = picked
        span = {"article_id": art.id or 0, "start": quote.start, "end": quote.end}
        out.append({"sentence": "quote", "part": "quote", **span})
    return out


def _sources(lead: Article, story: Story, profile: Profile) -> list[dict[str, Any]]:
    """Each page once: its web address (the canonical one for a page read from a file; null
    where none is known), its outlet and date (null when unknown, as everywhere in the JSON),
    the report it copies (an article id, as `stories --json` gives it), whether it joined
    the story below the relevance threshold, and ``via``: for a roundup's item, the outlet
    and date are the report's it retells, and ``via`` names the roundup page (its outlet,
    URL and date) the item was read from; null for any other page. Digests stored before
    held "" for the unknown and "yes"/"" and a string id for ``copy_of`` and ``via_story``,
    and no ``via``; every reader takes both."""
    # One page captured twice (an archive's two crawls, an updated article) is one source.
    pages = {lead.canonical_url or lead.url}
    arts = [lead]
    for art in story.articles:
        if art is not lead and (page := art.canonical_url or art.url) not in pages:
            pages.add(page)
            arts.append(art)
    out = []
    for a in arts:
        who = credit.credit(a, profile)
        out.append(
            {
                "url": credit.web_address(a.url, a.canonical_url),
                "outlet": who.outlet or None,
                "published": who.day.isoformat() if who.day else None,
                "copy_of": story.duplicates.get(a.id or 0),
                "via_story": a.id in story.via_story,
                "via": who.via,
            }
        )
    return out


def also_line(
    lead: Article,
    story: Story,
    profile: Profile,
    *,
    quoted: Article | None = None,
    credited: Sequence[Article] = (),
) -> str | None:
    """``The story was also covered by Reuters (Dec. 17) and TASS (Dec. 18).``

    Copies of a report (the same text on another site) are named apart: ``Yahoo News (Dec.
    17) ran the same AFP report.`` The agency only where the copy or the report it copies
    credits one ("citing AFP", "(Reuters) -"); two outlets carrying one text need not be wire
    copy (a syndicated or republished article), so otherwise it is "the same report".

    ``quoted``: the report the item's quote is from. Where it is not the one the attribution
    line names (another outlet's, or the lead's outlet's of another day), the line opens by
    crediting it, as a summary sentence of another report is credited: ``The quote is from a
    report by Russia’s TASS (Dec. 17).`` (this line follows the quote), and names it no more.
    ``credited``: the reports whose sentences the summary credits ("Britain’s Reuters reported
    on Dec. 19 that …"); their outlets are named already, and not again here.
    """
    by_id = {a.id: a for a in story.articles if a.id is not None}
    lead_by = credit.credit(lead, profile)
    seen = {lead_by.outlet, *(credit.credit(a, profile).outlet for a in credited)}
    lines = []
    if quoted is not None and quoted is not lead:
        by = credit.credit(quoted, profile)
        if by.outlet != lead_by.outlet or by.day != lead_by.day:
            lines.append(f"The quote is from {_report_by(by, profile)}.")
            seen.add(by.outlet)
    named: list[str] = []
    copies: dict[str, list[str]] = {}  # what they copied -> who ran it
    for art in sorted(story.articles, key=lambda a: a.published.timestamp() if a.published else 0):
        who = credit.credit(art, profile)  # a roundup's item: the outlet it retells
        if who.outlet in seen or not who.outlet:
            continue
        seen.add(who.outlet)
        name = style.outlet_name(who.outlet, who.country, profile.country_code)
        when = f" ({style.day(who.day)})" if who.day else ""
        if art.id in story.duplicates:
            copied = by_id.get(story.duplicates[art.id])
            report = _report_of(art, copied, lead, story.duplicates)
            copies.setdefault(report, []).append(f"{name}{when}")
        else:
            named.append(f"{name}{when}")
    if named:
        lines.append(f"The story was also covered by {style.listed(_at_most(named))}.")
    for report, outlets in copies.items():
        lines.append(f"{style.sentence_start(style.listed(_at_most(outlets)))} ran {report}.")
    return " ".join(lines) or None


def _report_by(by: credit.Credit, profile: Profile) -> str:
    """``a report by Russia’s TASS (Dec. 17)``, ``another report (Dec. 17)`` where it names
    no outlet."""
    when = f" ({style.day(by.day)})" if by.day else ""
    if not by.outlet:
        return f"another report{when}"
    return f"a report by {style.outlet_name(by.outlet, by.country, profile.country_code)}{when}"


def _at_most(names: list[str]) -> list[str]:
    """A story in forty outlets: the first few named, the rest counted."""
    if len(names) <= MAX_NAMED:
        return names
    return [*names[: MAX_NAMED - 1], f"{len(names) - MAX_NAMED + 1} other outlets"]


def _report_of(
    copy: Article, copied: Article | None, lead: Article, duplicates: dict[int, int]
) -> str:
    """``the same AFP report``, ``the same report``, ``the same report as Reuters``, or, for
    another report by the lead's outlet, ``Kazinform’s report “Muslims discuss …”``.

    "The same report" reads as the lead's: it is said only of a copy of the lead's text. A
    copy of the lead outlet's other report named no outlet, so Al Jazeera's copy of Kazinform's
    election piece read as a copy of Kazinform's tsunami-aid lead."""
    agency = next((a.origin for a in (copy, copied) if a is not None and a.origin), None)
    what = f"the same {agency} report" if agency else "the same report"
    same = lead.id is not None and _original(copied, duplicates) == _original(lead, duplicates)
    if copied is None or copied is lead or same:
        return what
    if copied.outlet and copied.outlet != lead.outlet:
        return f"{what} as {copied.outlet}"
    report = f"{agency} report" if agency else "report"
    title = kind.without_credit(copied.title).strip()
    if not copied.outlet:
        return f"the {report} “{title}”" if title else f"another {report}"
    return f"{copied.outlet}’s {report} “{title}”" if title else f"another {copied.outlet} {report}"


def _original(art: Article | None, duplicates: dict[int, int]) -> int | None:
    """The id of the report an article's text is, through copies of copies."""
    aid, seen = art.id if art is not None else None, set()
    while aid in duplicates and aid not in seen:
        seen.add(aid)
        aid = duplicates[aid]
    return aid


def _status(story: Story, since: date | None) -> str:
    return "continuing" if since is not None and trend.continuing(story, since) else "new"


def intro(
    items: list[DigestItem],
    profile: Profile,
    since: date,
    until: date,
    publisher: str | None = None,
) -> str:
    """The opening paragraph: what was selected, and the week's main stories in one sentence.

    ``publisher``: who selects, as the house style names its paper ("The Astana Times has
    selected..."); the tool's name without one.
    """
    country = style.country_in_sentence(profile.country)
    if not items:
        return f"No articles about {country} were found for {style.period(since, until)}."
    n = len(items)
    head = (
        f"{publisher or 'mediadigest'} has selected {n} key stor{'ies' if n != 1 else 'y'}"
        f"{_from_outlets(items, profile, since, until)} covering {country} "
        f"for {style.period(since, until)}."
    )
    listed = style.listed(_intro_names(items))
    span = "week’s" if style.weekly(since, until) else "period’s"
    themes = _intro_themes(items, profile)
    covered = f" Its stories cover {style.listed(themes)}." if themes else ""
    return f"{head} This {span} foreign media digest features {listed}.{covered}"


INTRO_THEMES = 4  # themes the intro names


def _intro_themes(items: list[DigestItem], profile: Profile) -> list[str]:
    """The week's themes as the intro names them, as the house style's intro names its
    week's: the items' themes, the most common first (ties in the items' order), each by
    the head of its label ("energy" for "Energy and resources")."""
    seen = [t for item in items for t in item.themes]
    ranked = sorted(dict.fromkeys(seen), key=lambda t: -seen.count(t))[:INTRO_THEMES]
    return list(dict.fromkeys(style.theme_head(profile, t) for t in ranked))


def _from_outlets(items: list[DigestItem], profile: Profile, since: date, until: date) -> str:
    """`` from 5 international media outlets``, `` from 3 international and 2 Uzbek media
    outlets``, or nothing where no report names its outlet ("from several" was a guess)."""
    home = counted_outlets(items, profile, since, until)
    foreign = sum(not own for own in home.values())
    parts = [f"{foreign} international"] if foreign else []
    parts += [f"{len(home) - foreign} {profile.adjective}"] if len(home) > foreign else []
    if not parts:
        return ""
    return f" from {' and '.join(parts)} media {style.agreeing(len(home), 'outlet')}"


def counted_outlets(
    items: Sequence[DigestItem], profile: Profile, since: date, until: date
) -> dict[str, bool]:
    """The outlets the intro counts, each with whether it is the country's own.

    The rule is the week page's (web.coverage): distinct outlets of reports about the
    country published in the period, here those of the digest's stories. A report that
    joined its story below the relevance threshold (Mainichi on the region, in a story on
    the country) is not coverage of the country. The country's own outlets (the profile's,
    or where the page said so) are not international: the intro names them apart. A
    roundup's item counts the outlet it retells (``via`` names the roundup), of its country
    as the profile or the item's line gives it (unknown: international).
    """
    home: dict[str, bool] = {}
    for item in items:
        for src in item.sources or [{"outlet": item.outlet, "url": ""}]:
            name = src.get("outlet")
            if not name or src.get("via_story") in (True, "yes") or not _within(src, since, until):
                continue
            where = item.outlet_country if name == item.outlet else None
            # A roundup's item's page is the roundup's: the outlet it retells is known by name.
            retold = isinstance(src.get("via"), dict)
            country = where or (
                credit.outlet_country(name, profile)
                if retold
                else _country_of(src.get("url") or "", profile)
            )
            home[name] = home.get(name, False) or country == profile.country_code
    return home


def _country_of(url: str, profile: Profile) -> str | None:
    """An outlet's country as analyse gives it: the profile's entry, else the web domain's."""
    known = profile.outlet_for(url) if url else None
    return known.country if known else domain_country(url) if url else None


def _within(src: dict[str, Any], since: date, until: date) -> bool:
    """Whether a source was published in the period (or says no date): digests stored
    before give "" for the unknown, as ``_sources`` says. A roundup's item was published
    when its roundup was: the report it retells may be older (an interview of Dec. 4 in the
    digest of Dec. 20), and its outlet is still one the week's stories come from."""
    via = src.get("via")
    published = (via.get("published") if isinstance(via, dict) else None) or src.get("published")
    if not published:
        return True
    try:
        return since <= date.fromisoformat(str(published)[:10]) <= until
    except ValueError:
        return True


INTRO_NAMED = 4  # stories the intro names
INTRO_ENGLISH = 2  # English headlines enough for the intro to name no story in another language


def _intro_names(items: list[DigestItem]) -> list[str]:
    """The headlines the intro names, in the items' order: those in English (the digest's
    language) first; one in another language only where fewer than two are in English,
    and with its language: “Казахстан и Узбекистан договорились…” (in Russian)."""
    written = [_headline_language(i) for i in items]
    english = [k for k, lang in enumerate(written) if lang is None][:INTRO_NAMED]
    others = [k for k, lang in enumerate(written) if lang is not None]
    chosen = sorted(english + others[: max(INTRO_ENGLISH - len(english), 0)])
    return [
        f"“{items[k].headline}”" + (f" (in {written[k]})" if written[k] else "") for k in chosen
    ]


def _headline_language(item: DigestItem) -> str | None:
    """The name of the language of the item's headline (read with its sentences) when it is
    not English; None for English and for what cannot be told."""
    code = style.script_language(item.headline) or language.detect(
        " ".join([item.headline, *item.summary])
    )
    if code in (None, "en"):
        return None
    name = style.language_name(code) or "another language"
    # A guess from a short English headline must not drop it from the intro: the headline's
    # script (Cyrillic, Chinese), the attribution line ("in German") or the item's sentences,
    # enough of them to tell, must agree ("Gürcistan'da ateşkes ilan edildi" passed for
    # English where its item said nothing of Turkish: its text was under 200 characters).
    foreign_script = not style.in_latin(item.headline)
    if foreign_script or f" in {name} " in f"{item.attribution} ":
        return name
    told = " ".join(item.summary)
    enough = sum(ch.isalpha() for ch in told) >= SENTENCE_LETTERS
    return name if enough and language.detect(told) == code else None


# Letters of an item's sentences enough for their language to say the headline's: two short
# sentences; "The search moved north." is too few to tell.
SENTENCE_LETTERS = 60
