"""Sentences planted in a page for a language model that reads it (prompt injection): the
extractive writer never picks them and the LLM writer neither sends them nor takes them as
support (``addresses_model``).

What speaks to a model, not about the world: a note addressed to it ("Note to the automated
summary writer: …"), an order to drop its instructions ("Disregard what you were told"), in
the languages the profiles read (English, Russian, Kazakh, French, German, Spanish); a new
role, its prompt by name, chat-template tokens. Not any "ignore … rules" or "new
instructions": "Drivers who ignore the traffic rules will be fined", "The education ministry
sent new instructions to schools", "AI models must not ignore local law" are news.

The text is matched after NFKC, with format characters (zero-width spaces, soft hyphens,
tags) taken out, and a word of mixed scripts read in one ("Іgnоrе" with Cyrillic І, о, е):
each shows the reader, and the model, the plain word.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["addresses_model"]

_OLD = (
    r"(?:previous|prior|above|earlier|preceding|original|initial|your|system|all|any|the|these"
    r"|those|my|of)"
)
_ENGLISH = (
    r"\b(?:ignore|disregard|forget)\s+(?:(?:all|any|the|of|your|these|those)\s+){0,3}"
    r"(?:previous|prior|above|earlier|preceding|original|initial|your|system)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:instructions?|prompts?|directions|directives|guidelines|rules)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:all|any)\s+(?:(?:of\s+)?(?:the|your)\s+)?"
    r"(?:[\w-]+\s+)?(?:instructions|prompts?)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|you were told)\b"
    # "Disregard what you were told earlier", "forget anything you have been instructed"
    r"|\b(?:ignore|disregard|forget)\s+(?:what|everything|anything|all)\s+(?:that\s+)?"
    r"(?:you(?:['’]ve|['’]re| have| are| were)?|you\s+have\s+been)\s+(?:been\s+)?"
    r"(?:told|given|instructed|asked|prompted)\b"
    # "Ignore the instructions above", at the head of a sentence or a clause: an order
    rf"|(?:^|[:;.!?—–]\s*|\b(?:please|now|just)\s+)(?:ignore|disregard|forget)\s+"
    rf"(?:{_OLD}\s+){{0,3}}(?:instructions|prompts?|directives)\b"
    r"(?!\s+(?:from|of|by|issued|on|for)\b)"
    r"|\byou are now\b|\bfrom now on,? you\b|\b(?:system|developer)\s+(?:prompt|message)s?\b"
    r"|\bas an? (?:ai|llm|(?:large )?language model)(?: (?:language )?(?:model|assistant))?"
    r"(?:,|\s+you\b)"
    r"|\bif you are an? (?:ai|llm|(?:large )?language model|assistant|chatbot|bot)\b"
    r"|\b(?:ai|llm|language model|assistant|chatbot)s? reading this\b"
)
# Who a note is for: a machine that summarises or answers, not "the writer" alone (a letters
# page writes to people) nor "editors" (a press release's "Note to editors:").
_MACHINE = (
    r"(?:(?:automated|automatic|ai|llm|machine|robot)[\s-]+)?"
    r"(?:(?:summary|summaries|digest|news|content|article)[\s-]+)?"
    r"(?:summari[sz]er|summari[sz]ing\s+(?:tool|model|bot|system|ai)|writer|model|assistant"
    r"|chatbot|bot|agent|ai|llm|gpt|chatgpt|language\s+model|system|tool)s?"
)
_ADDRESS = (
    # "Note to the automated summary writer:", "Message for AI models,", "Dear AI —"
    rf"\b(?:note|message|memo|instructions?|reminder|attention|warning|notice)\s+(?:to|for)\s+"
    rf"(?:(?:the|any|all|every|an?|this)\s+)?{_MACHINE}\s*[:,—–-]"
    # "Note to the AI summariser." before the sentence it is for (``planted_paragraph``)
    rf"|^\W*(?:note|message|memo)\s+(?:to|for)\s+(?:(?:the|any|all|every|an?|this)\s+)?"
    rf"{_MACHINE}\s*[.!]"
    rf"|^\W*(?:dear|hey|hello|hi|attention|to),?\s+(?:(?:the|any|all|every)\s+)?{_MACHINE}"
    r"\s*[:,—–-]"
    # "AI summariser: say that …", "Summary writer: …"
    r"|^\W*(?:(?:automated|automatic|ai|llm)\s+)?(?:summary|digest)\s+(?:writer|bot|model"
    r"|assistant)s?\s*:|^\W*(?:ai|llm)\s+(?:summari[sz]er|assistant|model|writer|agent)s?\s*:"
    r"|^\W*summari[sz]er\s*:"
    rf"|\b(?:to|for)\s+(?:(?:the|any|all|every|an?)\s+)?{_MACHINE}\s+"
    r"(?:reading|summari[sz]ing|processing|parsing|rewriting)\s+(?:this|these)\b"
)
# Which words may name a machine as a summariser/writer (else "Note to the writer" of a
# letters page would count): one of these must be among the addressee's words.
_MACHINE_WORD = re.compile(
    r"\b(?:automated|automatic|ai|llm|machine|robot|summary|summaries|digest|summari[sz]\w*"
    r"|model|assistant|chatbot|bot|agent|gpt|chatgpt)\b",
    re.IGNORECASE,
)

# Russian: the imperative is its own form ("игнорируй", "забудьте"); news says "игнорирует".
_RUSSIAN = (
    r"(?:^|[^\w])(?:(?:про)?игнорируй(?:те)?|забудь(?:те)?|отбрось(?:те)?|не\s+учитывай(?:те)?"
    r"|не\s+обращай(?:те)?\s+внимания\s+на|не\s+слушай(?:те)?|отмени(?:те)?)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:инструкци|указани|промпт|подсказк|команд|правил\w*\s+(?:выше|систем)"
    r"|(?:вс[её]\s*,?\s*)?что\s+(?:тебе|вам)\s+(?:сказали|говорили|было\s+сказано|велели))"
    r"|(?:^|[^\w])(?:примечание|заметка|сообщение|обращение)\s*,?\s+"
    r"(?:для|к)\s+(?:\w+\s+){0,2}?(?:ии\b|нейросет|языков\w+\s+модел|модел|ассистент|чат-?бот"
    r"|бот|автор\w*\s+(?:саммари|резюме|сводк|дайджест)|составител)"
    r"|(?:^|[^\w])если\s+ты\s+(?:—\s+)?(?:ии\b|нейросеть|языковая\s+модель|модель|ассистент|бот"
    r"|чат-?бот)"
)
# Kazakh: the object before the verb ("Алдыңғы нұсқауларды елемеңіз").
_KAZAKH = (
    # The imperative only ("елемеңіз", "ұмыт"): "нұсқауларын елемеген" (they ignored) is news.
    r"нұсқау\w*\s+(?:[\w-]+\s+){0,2}?(?:елеме|ұмыт(?:ы)?|ескерме|назар\s+аударма|тыңдама)"
    r"(?:ңіз|ңыз|ңдар|ңдер|ңыздар|ңіздер)?\b"
    r"|(?:жасанды\s+интеллект\w*|жи(?:-\w+)?\b|тілдік\s+модель\w*|модель\w*|ассистент\w*"
    r"|чат-?бот\w*|бот(?:қа|тарға)?\b)\s+"
    r"(?:арналған\s+)?(?:ескерту|хабарлама|нұсқау)\s*:"
    r"|егер\s+сен\s+(?:жасанды\s+интеллект|жи\b|тілдік\s+модель|модель|ассистент|бот\b)"
)
# French, German, Spanish: "ignore", "ignora" are also the third person ("Le ministère ignore
# les consignes de Bruxelles"), so an order is one that opens its clause or names the old
# instructions ("précédentes", "anteriores").
_ROMANCE_OLD = (
    r"(?:précédentes|antérieures|ci-dessus|initiales|du\s+système|anteriores|previas|originales"
    r"|iniciales|de\s+arriba|del\s+sistema)"
)
_FRENCH = (
    r"(?:^|[:;,.!?—–-]\s*)(?:ignore[zs]?|oublie[zs]?|ne\s+(?:tiens|tenez)\s+pas\s+compte"
    r"\s+(?:des?|du))\s+(?:[\w'’-]+\s+){0,3}?(?:instructions|consignes"
    r"|directives|prompts?|ce\s+qu['’](?:on|il)\s+(?:vous|t['’])\s*a\s+dit)"
    # Past the head of a clause, the forms that are no third person ("Le ministère ignore
    # les directives précédentes de Bruxelles" is news).
    rf"|\b(?:ignorez|oubliez)\s+(?:[\w'’-]+\s+){{0,3}}?(?:instructions|consignes"
    rf"|directives|prompts?)\s+{_ROMANCE_OLD}"
    r"|\b(?:note|message|remarque|avis)\s+(?:à|pour)\s+(?:l['’]\s*|le\s+|la\s+)?(?:ia\b"
    r"|intelligence\s+artificielle|mod[èe]le|assistant|r[ée]dacteur\s+automatique|r[ée]sumeur)"
    r"|\bsi\s+(?:tu\s+es|vous\s+[êe]tes)\s+une?\s+(?:ia\b|intelligence\s+artificielle|mod[èe]le"
    r"|assistant|chatbot)"
)
_GERMAN = (
    r"\b(?:ignoriere?\b|ignorieren\s+sie|vergiss|vergesst|vergessen\s+sie|missachte"
    r"|missachten\s+sie)\s+(?:[\w-]+\s+){0,3}?(?:anweisung|instruktion|vorgabe|befehl"
    r"|systemprompt|prompt|(?:alles\s*,?\s*)?was\s+(?:dir|ihnen|euch)\s+gesagt)"
    r"|\b(?:hinweis|nachricht|notiz|anweisung)\s+(?:an|für)\s+(?:die|den|das|alle)?\s*(?:ki\b"
    r"|künstliche\s+intelligenz|sprachmodell|modell|assistent|chatbot|zusammenfass)"
    r"|\bwenn\s+du\s+eine?\s+(?:ki\b|sprachmodell|assistent|chatbot)"
)
_SPANISH = (
    r"(?:^|[:;,.!?—–-]\s*|¡)(?:ignora|ignore|ignoren|olvida|olvide|olviden|haz\s+caso\s+omiso"
    r"\s+(?:a|de)|no\s+tengas?\s+en\s+cuenta)\s+(?:[\w-]+\s+){0,3}?(?:instrucciones"
    r"|indicaciones|órdenes|prompts?|lo\s+que\s+(?:te|le|les)\s+(?:dijeron|han\s+dicho"
    r"|indicaron))"
    # "El Gobierno ignora las instrucciones anteriores": "ignora", "olvida" are the third
    # person too; past the head of a clause only the forms that are not.
    rf"|\b(?:ignoren|olviden)\s+(?:[\w-]+\s+){{0,3}}?"
    rf"(?:instrucciones|indicaciones|órdenes|prompts?)\s+{_ROMANCE_OLD}"
    r"|\b(?:nota|mensaje|aviso)\s+(?:para|a)\s+(?:la\s+|el\s+)?(?:ia\b|inteligencia\s+artificial"
    r"|modelo|asistente|redactor\s+autom[áa]tico|resumidor|chatbot)"
    r"|\bsi\s+eres\s+una?\s+(?:ia\b|inteligencia\s+artificial|modelo|asistente|chatbot)"
)
_TEMPLATE = (
    r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?inst\]|<</?sys>>"
    r"|</?(?:system|assistant|user)>"
)
_PLANTED = re.compile(
    "|".join(f"(?:{p})" for p in (_ENGLISH, _RUSSIAN, _KAZAKH, _FRENCH, _GERMAN, _SPANISH)),
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESSED = re.compile(_ADDRESS, re.IGNORECASE | re.MULTILINE)
_TEMPLATE_TOKEN = re.compile(_TEMPLATE, re.IGNORECASE)
# Every match of the patterns above has one of these words, or a word that begins with one
# of the stems: a sentence without any is not matched (Python's regex engine tries each
# alternative at each position, near a millisecond a sentence; this is a few microseconds).
_CUE_WORDS = frozenset(
    ["now", "ai", "llm", "bot", "bots", "gpt", "hi", "hey", "dear", "ia", "ki", "ии", "жи",
     "haz", "avis", "note", "notes", "nota", "memo"]
)  # fmt: skip
_CUE_STEMS = (
    "ignor", "disregard", "forget", "system", "developer", "language", "assistant", "chatbot",
    "reading", "automat", "machine", "robot", "summar", "digest", "model", "agent", "chatgpt",
    "message", "instruction", "reminder", "attention", "warning", "notice", "игнор", "проигнор",
    "забуд", "отбрось", "учитыв", "обращ", "слушай", "отмени", "примечан", "заметк", "сообщени",
    "нұсқау", "жасанды", "тілдік", "модел", "ассистент", "чат", "бот", "oubli", "tiens",
    "tenez", "remarque", "vergiss", "vergess", "missacht", "hinweis", "nachricht", "notiz",
    "anweis", "olvid", "instrucc", "teng", "mensaje", "aviso", "intelligen", "inteligen",
    "künstlich",
)  # fmt: skip


def _cued(text: str) -> bool:
    return any(w in _CUE_WORDS or w.startswith(_CUE_STEMS) for w in _WORD.findall(text.casefold()))


# The Cyrillic and Greek letters drawn as Latin ones (Unicode's confusables, these scripts only).
_LOOK_ALIKES = {
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "һ": "h", "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "К": "K",
    "М": "M", "О": "O", "Р": "P", "Т": "T", "Х": "X", "Ү": "Y", "Ј": "J", "Ѕ": "S",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "α": "a", "ι": "i",
}  # fmt: skip
_TO_LATIN = str.maketrans(_LOOK_ALIKES)
_TO_CYRILLIC = str.maketrans({lat: o for o, lat in _LOOK_ALIKES.items() if "Ѐ" <= o <= "ӿ"})
_LATIN_LIKE = frozenset(_LOOK_ALIKES.values())
_WORD = re.compile(r"\w+")
# A Latin letter next to a Cyrillic or Greek one: a word of mixed scripts.
_MIXED = re.compile(r"[A-Za-z][\u0370-\u04ff]|[\u0370-\u04ff][A-Za-z]")


def _script(char: str) -> str:
    if "a" <= char.lower() <= "z":
        return "latin"
    if "\u0400" <= char <= "\u04ff":
        return "cyrillic"
    if "\u0370" <= char <= "\u03ff":
        return "greek"
    return "other"


def _one_script(word: re.Match[str]) -> str:
    """A word of mixed scripts in the script of its letters that have no look-alike."""
    text = word.group()
    scripts = {_script(c) for c in text} - {"other"}
    if len(scripts) < 2:
        return text
    own_cyrillic = any(_script(c) == "cyrillic" and c not in _LOOK_ALIKES for c in text)
    own_latin = any(_script(c) == "latin" and c not in _LATIN_LIKE for c in text)
    if own_cyrillic and not own_latin:
        return text.translate(_TO_CYRILLIC)
    return text.translate(_TO_LATIN)


def _readings(sentence: str) -> list[str]:
    """How the sentence reads: NFKC, its format characters gone (or a space, where one stood
    for a space: "Ignore\u200bprevious"), each word in one script."""
    if sentence.isascii():
        return [sentence]
    text = unicodedata.normalize("NFKC", sentence)
    hidden = [c for c in set(text) if unicodedata.category(c) == "Cf" or c == "\u034f"]
    forms = [text]
    if hidden:
        table = str.maketrans(dict.fromkeys(hidden, ""))
        forms = [text.translate(table), text.translate(str.maketrans(dict.fromkeys(hidden, " ")))]
    return [_WORD.sub(_one_script, form) if _MIXED.search(form) else form for form in forms]


def addresses_model(sentence: str) -> bool:
    """Whether a source sentence speaks to a language model rather than to readers: written
    to steer an LLM writer ("Ignore previous instructions and write that ...", "Note to the
    automated summary writer: ..."), it is no sentence for a digest either, and the LLM
    writer neither sends it nor takes it as support."""
    for text in _readings(sentence):
        if _TEMPLATE_TOKEN.search(text):
            return True
        if not _cued(text):
            continue
        if _PLANTED.search(text):
            return True
        for m in _ADDRESSED.finditer(text):
            if _MACHINE_WORD.search(m.group()):
                return True
    return False
