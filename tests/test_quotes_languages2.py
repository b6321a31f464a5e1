"""Quotes and their speakers in Kazakh, Chinese, Japanese, Korean and Arabic: the verb last
(Kazakh, Japanese, Korean), no spaces (Chinese, Japanese), particles written onto names
(Korean) and the verb first with "و" written onto it (Arabic). Kazakh names are capitalised
words, as in Turkish; in the other four a speaker is a phrase made of the names the entities
found (the profile's 托卡耶夫, トカエフ, 토카예프, توكاييف), titles and particles, and what is
no speech (a book's 《title》, a term in 「」, a quote with no speech verb) or names someone
else (Tokayev's spokesman, a quote said to him) has no speaker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse, entities, relevance
from mediadigest.analyse.quotes import find_quotes, resolve_speakers
from mediadigest.model import Document, Story
from mediadigest.profile import load_profile
from mediadigest.write.compose import compose_story

TOKAYEV = "Kassym-Jomart Tokayev"


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def resolved(text: str, language: str, profile) -> list[str | None]:
    """The speakers once the names the analyse stage finds are known."""
    quotes = find_quotes(text, language)
    found = entities.find_entities(text, profile, relevance.score(text, profile).hits)
    resolve_speakers(text, quotes, found, language=language)
    return [q.speaker for q in quotes]


def cues(text: str, language: str) -> list[str | None]:
    return [q.cue for q in find_quotes(text, language)]


# -- Kazakh -----------------------------------------------------------------------------------

KAZAKH = (
    "Мемлекет басшысы Қасым-Жомарт Тоқаев сейсенбі күні Астанада еуропалық делегацияны "
    "қабылдады. «Біз 2030 жылға дейін Орта дәліз арқылы экспортты екі есе арттырамыз», — деді "
    "Тоқаев кездесуден кейін.\n"
    "Энергетика министрі Алмас Сатқалиев: «Құбыр жыл соңына дейін толық дайын болады», — деді.\n"
    "Тоқаев брифингте: «Біз өңірдегі барлық серіктестермен ынтымақтастыққа дайынбыз» деп атап "
    "өтті.\n"
    "Сыншылар жобаны «бүкіл Еуразия үшін жаңа Жібек жолы» деп атайды."
)


def test_kazakh_dash_verb_then_the_name_the_text_titles():
    q = find_quotes(KAZAKH, "kk")[0]
    assert q.text.startswith("Біз 2030 жылға дейін")
    assert (q.speaker, q.cue) == ("Тоқаев", "Тоқаев")


def test_kazakh_title_and_name_before_the_colon_verb_after():
    assert find_quotes(KAZAKH, "kk")[1].speaker == "Алмас Сатқалиев"


def test_kazakh_subject_first_and_dep_atap_otti_last(profile):
    assert cues(KAZAKH, "kk")[2] == "Тоқаев"
    assert resolved(KAZAKH, "kk", profile)[:3] == [TOKAYEV, "Алмас Сатқалиев", TOKAYEV]


def test_kazakh_name_with_a_case_ending_is_no_subject():
    """ "Тоқаевқа" (to Tokayev): the journalists spoke; read as a name it was Tokayev."""
    text = "Тоқаевқа журналистер: «Сіз бұл шешімді қашан қабылдайсыз, мырза Президент?» деді."
    assert [(q.speaker, q.cue) for q in find_quotes(text, "kk")] == [(None, None)]


def test_kazakh_a_name_for_a_project_is_no_speech():
    assert [(q.speaker, q.cue) for q in find_quotes(KAZAKH, "kk")][3] == (None, None)


# -- Chinese ----------------------------------------------------------------------------------

CHINESE = (
    "哈萨克斯坦总统托卡耶夫20日在阿斯塔纳会见欧盟代表团。托卡耶夫在会后表示：“我们将在2030年前"
    "把经中间走廊的出口翻一番。”“欧洲需要可靠的伙伴，哈萨克斯坦就是其中之一，”托卡耶夫说。\n"
    "“我们将继续扩大与欧洲在各个领域的合作”，哈萨克斯坦共和国总统托卡耶夫20日对记者说。\n"
    "托卡耶夫的发言人表示：“总统的日程安排已经全部确定下来了。”\n"
    "习近平在会见哈萨克斯坦总统托卡耶夫时表示：“双方将在2030年前把贸易额翻一番。”\n"
    "该书《通往阿斯塔纳的漫长道路与中亚的未来》于2020年出版。这条被称为「中间走廊的新兴枢纽国家」"
    "的线路很重要，分析人士认为它是“新丝绸之路上最重要的一环”。"
)


def test_chinese_speaker_before_the_colon_cut_at_the_adverbial():
    q = find_quotes(CHINESE, "zh")[0]
    assert q.text == "我们将在2030年前把经中间走廊的出口翻一番。"
    assert q.cue == "托卡耶夫"


def test_chinese_quote_then_the_speaker_and_shuo():
    assert cues(CHINESE, "zh")[1:3] == ["托卡耶夫", "哈萨克斯坦共和国总统托卡耶夫"]


def test_chinese_speakers_are_the_person_the_entities_found(profile):
    assert resolved(CHINESE, "zh", profile)[:3] == [TOKAYEV] * 3


def test_chinese_his_spokesman_and_a_quote_at_a_meeting_with_him_are_not_his(profile):
    """ "托卡耶夫的发言人" is Tokayev's spokesman; at "习近平在会见…托卡耶夫时" Xi spoke."""
    assert cues(CHINESE, "zh")[3:5] == ["托卡耶夫的发言人", "习近平"]
    assert resolved(CHINESE, "zh", profile)[3:5] == [None, None]


def test_chinese_two_people_as_the_subject_are_no_one():
    text = "托卡耶夫和普京在会谈后表示：“两国将在2030年前把贸易额翻一番。”"
    assert [(q.speaker, q.cue) for q in find_quotes(text, "zh")] == [(None, None)]


def test_chinese_title_marks_are_no_quote_and_a_term_or_a_phrase_no_speech(profile):
    quotes = find_quotes(CHINESE, "zh")
    assert not any("通往阿斯塔纳" in q.text for q in quotes)
    assert [(q.text, q.cue) for q in quotes[5:]] == [
        ("中间走廊的新兴枢纽国家", None),
        ("新丝绸之路上最重要的一环", None),
    ]
    assert resolved(CHINESE, "zh", profile)[5:] == [None, None]


# -- Japanese ---------------------------------------------------------------------------------

JAPANESE = (
    "カザフスタンのトカエフ大統領は20日、アスタナで欧州連合の代表団と会談した。トカエフ大統領は"
    "会談後、「2030年までに中央回廊経由の輸出を倍増させる」と述べた。「欧州には信頼できる"
    "パートナーが必要だ」とも語った。\n"
    "「協力はあらゆる分野に広がっていく」とカザフスタンのトカエフ大統領は記者団に強調した。\n"
    "トカエフ大統領の報道官は「大統領の日程はすべて確定している」と説明した。\n"
    "「新シルクロードの要」と呼ばれるこの計画について、専門家の評価は分かれている。"
    "『アスタナへの長い道のりと中央アジアの未来』が2020年に出版された。"
)


def test_japanese_topic_before_the_quote_and_to_nobeta_after(profile):
    assert cues(JAPANESE, "ja")[:2] == ["トカエフ大統領", "トカエフ大統領"]  # "とも語った"
    assert resolved(JAPANESE, "ja", profile)[:2] == [TOKAYEV, TOKAYEV]


def test_japanese_subject_between_the_quotative_and_the_verb(profile):
    assert cues(JAPANESE, "ja")[2] == "カザフスタンのトカエフ大統領"
    assert resolved(JAPANESE, "ja", profile)[2] == TOKAYEV


def test_japanese_the_presidents_spokesman_is_not_the_president(profile):
    assert cues(JAPANESE, "ja")[3] == "トカエフ大統領の報道官"
    assert resolved(JAPANESE, "ja", profile)[3] is None


def test_japanese_a_term_in_corner_brackets_and_a_title_are_no_speech():
    quotes = find_quotes(JAPANESE, "ja")
    assert [(q.text, q.cue) for q in quotes[4:]] == [
        ("新シルクロードの要", None),
        ("アスタナへの長い道のりと中央アジアの未来", None),
    ]


# -- Korean -----------------------------------------------------------------------------------

KOREAN = (
    "토카예프 카자흐스탄 대통령은 20일 아스타나에서 유럽연합 대표단을 만났다. 토카예프 대통령은 "
    '회담 후 "2030년까지 중간 회랑을 통한 수출을 두 배로 늘리겠다"라고 말했다.\n'
    '카자흐스탄의 토카예프 대통령은 "협력은 모든 분야로 계속 확대될 것이다"라고 밝혔다.\n'
    '"유럽에는 믿을 수 있는 파트너가 꼭 필요하다"고 토카예프 대통령이 기자들에게 강조했다.\n'
    '토카예프 대통령의 대변인은 "대통령의 일정은 모두 확정되었다"고 전했다.\n'
    '전문가들은 이 계획을 "새로운 실크로드의 핵심 연결 고리"로 평가한다.'
)


def test_korean_particle_on_the_title_and_rago_malhaetda(profile):
    assert cues(KOREAN, "ko")[:3] == ["토카예프 대통령", "카자흐스탄의 토카예프 대통령",
                                      "토카예프 대통령"]  # fmt: skip
    assert resolved(KOREAN, "ko", profile)[:3] == [TOKAYEV] * 3


def test_korean_spokesman_of_the_president_and_a_quote_of_no_speech(profile):
    assert cues(KOREAN, "ko")[3:] == ["토카예프 대통령의 대변인", None]
    assert resolved(KOREAN, "ko", profile)[3:] == [None, None]


# -- Arabic -----------------------------------------------------------------------------------

ARABIC = (
    "استقبل الرئيس الكازاخستاني قاسم جومارت توكاييف يوم الثلاثاء في أستانا وفدا أوروبيا. وقال "
    'الرئيس الكازاخستاني قاسم جومارت توكاييف في كلمة أمام الوفد: "سنضاعف صادراتنا عبر الممر '
    'الأوسط بحلول عام 2030".\n'
    'وأضاف: "أوروبا بحاجة إلى شركاء موثوقين وكازاخستان واحدة منهم".\n'
    '"نحن ندرس الاتهامات بعناية كبيرة جدا"، قال توكاييف للصحفيين.\n'
    'وأكد مستشار الرئيس توكاييف: "جدول أعمال الرئيس أصبح محددا بالكامل الآن".\n'
    'وقال بوتين لتوكاييف: "نحن مستعدون للتعاون في كل المجالات".\n'
    'ويصف المحللون المشروع بأنه "حلقة أساسية في طريق الحرير الجديد".'
)


def test_arabic_verb_first_with_its_wa_then_the_titled_name(profile):
    assert cues(ARABIC, "ar")[0] == "الرئيس الكازاخستاني قاسم جومارت توكاييف"
    assert resolved(ARABIC, "ar", profile)[0] == TOKAYEV


def test_arabic_wa_adafa_without_a_subject_goes_on_with_the_speaker_before(profile):
    assert resolved(ARABIC, "ar", profile)[1] == TOKAYEV


def test_arabic_verb_after_the_quote_and_the_subject_ends_at_a_preposition(profile):
    assert cues(ARABIC, "ar")[2] == "توكاييف"  # not "توكاييف للصحفيين"
    assert resolved(ARABIC, "ar", profile)[2] == TOKAYEV


def test_arabic_his_adviser_and_words_said_to_him_are_not_his(profile):
    assert resolved(ARABIC, "ar", profile)[3:5] == [None, None]


def test_arabic_said_that_before_a_quote_in_the_clause(profile):
    text = 'وقال الرئيس توكاييف إن "الاقتصاد الكازاخستاني سينمو بسرعة هذا العام".'
    assert resolved(text, "ar", profile) == [TOKAYEV]


def test_arabic_a_phrase_with_no_speech_verb_has_no_speaker():
    assert cues(ARABIC, "ar")[5] is None


# -- through the pipeline ---------------------------------------------------------------------


def test_a_chinese_article_gives_the_digest_its_quote_with_the_speaker(profile):
    text = (
        "哈萨克斯坦计划经里海向欧洲增加石油出口\n"
        "哈萨克斯坦计划经里海向欧洲增加石油出口。哈萨克斯坦总统托卡耶夫20日在阿斯塔纳会见了欧盟代表团。\n"
        "托卡耶夫在会后表示：“我们将在2030年前把经中间走廊的出口翻一番。”\n"
        "为此，巴库—第比利斯—杰伊汉管道将进行扩建。"
    )
    doc = Document(
        url="https://news.example.cn/kazakhstan-oil",
        body=text.encode("utf-8"),
        fetched_at=datetime(2025, 12, 21, 9, 0, tzinfo=UTC),
        content_type="text/plain; charset=utf-8",
        hints={"published": "2025-12-20", "outlet": "示例新闻", "lang": "zh"},
    )
    (art,) = analyse(doc, profile)
    assert art.language == "zh"
    assert [q.speaker for q in art.quotes] == [TOKAYEV]
    art.id = 1
    item = compose_story(Story(1, art.title, [art]), profile)
    assert item.quote is not None and item.language == "zh"
    assert item.quote.text.startswith("我们将在2030年前")
    assert item.quote.speaker == TOKAYEV
