"""Direct quotes and their speakers (v0 patterns)."""

from mediadigest.analyse.quotes import find_quotes


def test_curly_quote_with_said_and_speaker_after():
    text = "“We will double uranium output by 2030,” said Energy Minister Almas Satkaliyev."
    (q,) = find_quotes(text)
    assert q.text == "We will double uranium output by 2030"
    assert q.speaker == "Almas Satkaliyev"
    assert text[q.start : q.end] == q.text


def test_straight_quote_with_speaker_before():
    (q,) = find_quotes('Tokayev said: "Kazakhstan is ready to help the region grow."')
    assert q.speaker == "Tokayev"
    assert q.text == "Kazakhstan is ready to help the region grow."


def test_guillemets_with_russian_verb_after_dash():
    (q,) = find_quotes("«Мы готовы к сотрудничеству с партнёрами», — заявил Токаев.")
    assert q.text == "Мы готовы к сотрудничеству с партнёрами"
    assert q.speaker == "Токаев"


def test_according_to_the_author():
    (q,) = find_quotes(
        "“Kazakhstan provides a stable place for planning,” according to the author."
    )
    assert q.speaker == "the author"


def test_name_then_verb_after_the_quote():
    (q,) = find_quotes(
        "“Nuclear power remains a reliable pillar of security,” Meirzhan Yussupov concludes."
    )
    assert q.speaker == "Meirzhan Yussupov"


def test_short_scare_quotes_are_not_quotes():
    assert find_quotes('The so-called "middle corridor" grows.') == []


def test_unbalanced_quote_gives_nothing_and_no_error():
    assert find_quotes("He said “this never closes and goes on and on") == []


def test_pronoun_speaker_is_left_unresolved():
    (q,) = find_quotes("“The region needs more investment now,” he said.")
    assert q.speaker is None


def test_role_phrase_between_verb_and_name_russian():
    text = (
        "«Вода не может быть предметом торга», — заявил министр водных ресурсов Казахстана "
        "Нурлан Абдрахманов."
    )
    (q,) = find_quotes(text)
    assert q.speaker == "Нурлан Абдрахманов"


def test_role_phrase_between_verb_and_name_english():
    (q,) = find_quotes(
        "“We will build it in three phases,” said the country's energy minister, Daniyar Seitkali."
    )
    assert q.speaker == "Daniyar Seitkali"
