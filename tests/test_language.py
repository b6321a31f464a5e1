"""Specification of analyse/language.py: which language an article is written in."""

from __future__ import annotations

import pytest

from mediadigest.analyse.language import detect

# One news sentence per language the monitor must tell apart; each is about Kazakhstan,
# so the country's name in many scripts does not decide the answer by itself.
SENTENCES = {
    "en": "The president of Kazakhstan held talks with the Japanese prime minister in Astana.",
    "ru": "Президент Казахстана провёл переговоры с премьер-министром Японии в Астане.",
    "kk": "Қазақстан Президенті Астанада Жапония премьер-министрімен келіссөздер жүргізді.",
    "zh": "哈萨克斯坦总统在阿斯塔纳与日本首相举行了会谈，双方讨论了能源合作。",
    "ja": "カザフスタンの大統領はアスタナで日本の首相と会談し、エネルギー協力について話し合った。",
    "ko": "카자흐스탄 대통령은 아스타나에서 일본 총리와 회담을 갖고 에너지 협력을 논의했다.",
    "tr": "Kazakistan Cumhurbaşkanı Astana'da Japonya Başbakanı ile görüştü.",
    "de": "Der Präsident Kasachstans hat in Astana mit dem japanischen Premierminister verhandelt.",
    "fr": "Le président du Kazakhstan a rencontré le Premier ministre japonais à Astana.",
    "es": "El presidente de Kazajistán se reunió con el primer ministro de Japón en Astaná.",
    "ar": "أجرى رئيس كازاخستان محادثات مع رئيس وزراء اليابان في أستانا حول التعاون في مجال الطاقة.",
    "fa": "رئیس جمهور قزاقستان در آستانه با نخست وزیر ژاپن درباره همکاری انرژی گفتگو کرد.",
    "uz": "Qozogʻiston Prezidenti Astanada Yaponiya Bosh vaziri bilan muzokaralar oʻtkazdi.",
}


@pytest.mark.parametrize(("code", "sentence"), SENTENCES.items(), ids=SENTENCES.keys())
def test_language_of_a_news_sentence(code, sentence):
    assert detect(sentence) == code


def test_uzbek_in_cyrillic_script_is_uzbek():
    assert (
        detect("Қозоғистон Президенти Остонада Япония Бош вазири билан музокаралар ўтказди.")
        == "uz"
    )


def test_chinese_varieties_are_reported_as_chinese():
    # py3langid scores this between Mandarin and Wu; both are "zh" to a reader
    assert detect("哈萨克斯坦总统在阿斯塔纳与日本首相举行了会谈。") == "zh"


@pytest.mark.parametrize("text", ["", "Astana today", "2025-12-18 10:00", "   \n  ", "BREAKING"])
def test_too_short_text_has_no_language(text):
    assert detect(text) is None


def test_text_without_letters_has_no_language():
    assert detect("1234567890 " * 20 + "!!! ??? ... ---") is None


def test_only_the_opening_of_a_long_text_is_read():
    text = SENTENCES["de"] + " " + SENTENCES["en"] * 500
    assert detect(text) == "en"
    assert detect(SENTENCES["de"] * 30 + SENTENCES["en"] * 500) == "de"


def test_upper_case_headline_is_detected():
    assert detect("PRESIDENT OF KAZAKHSTAN MEETS JAPANESE PRIME MINISTER IN ASTANA") == "en"


def test_list_of_names_has_no_language():
    assert detect("Kazakhstan Astana Almaty Tokayev Nazarbayev") is None


# -- the unpacked model in the cache folder ----------------------------------------------------


def _packed_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_unpacked_model_ranks_exactly_as_the_packed_one(tmp_path, monkeypatch):
    from py3langid.langid import LanguageIdentifier

    from mediadigest.analyse import language

    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    ptc, pc, classes, nextmove, row, output = language._unpacked_model()
    unpacked = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    assert [p.name[:16] for p in tmp_path.iterdir()] == ["py3langid-model-"]
    packed = _packed_identifier()
    for sentence in SENTENCES.values():
        assert unpacked.rank(sentence) == packed.rank(sentence)
    assert language._unpacked_model() is not None  # read again from the file it made


def test_unpacked_model_is_mapped_not_read(tmp_path, monkeypatch):
    from mediadigest.analyse import language

    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    ptc, _pc, _classes, nextmove, _row, _output = language._unpacked_model()
    assert not ptc.flags.owndata and not ptc.flags.writeable  # a view of the map, shared
    assert isinstance(nextmove, memoryview) and nextmove.format == "I"
    assert nextmove.readonly and len(nextmove) > 1_000_000


def test_an_npz_of_compressed_arrays_is_read_instead_of_mapped(tmp_path):
    import numpy as np

    from mediadigest.analyse import language

    arrays = {
        "ptc": np.arange(12, dtype=np.float16).reshape(3, 4),
        "row": np.arange(5, dtype=np.uint16),
    }
    path = tmp_path / "model.npz"
    np.savez_compressed(path, **arrays)
    read = language._mapped_npz(path)
    assert read.keys() == arrays.keys()
    assert all(np.array_equal(read[name], value) for name, value in arrays.items())
    assert list(language._as_sequence(read["row"])) == [0, 1, 2, 3, 4]


def test_a_copy_whose_arrays_do_not_fit_their_sizes_falls_back(tmp_path, monkeypatch, caplog):
    import zipfile

    import numpy as np

    from mediadigest.analyse import language

    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    language._unpacked_model()
    (cached,) = tmp_path.iterdir()
    # A well-formed zip whose array header promises more than the member holds.
    with zipfile.ZipFile(cached, "w") as archive, archive.open("ptc.npy", "w") as member:
        header = {"descr": "<f2", "fortran_order": False, "shape": (100_053, 142)}
        np.lib.format.write_array_header_1_0(member, header)
        member.write(b"\0" * 64)
    assert language._unpacked_model() is None
    assert "size does not match" in caplog.text
    assert not cached.exists()  # made again by the next process


def test_a_damaged_unpacked_model_falls_back_to_the_packed_one(tmp_path, monkeypatch, caplog):
    from mediadigest.analyse import language

    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    language._unpacked_model()
    (cached,) = tmp_path.iterdir()
    cached.write_bytes(cached.read_bytes()[:1000])  # a copy cut short (disk full, killed)
    assert language._unpacked_model() is None
    assert "unusable" in caplog.text
    assert language._unpacked_model() is not None  # the damaged copy was replaced
    assert cached.stat().st_size > 1000


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    from mediadigest.analyse import language

    monkeypatch.setenv("MEDIADIGEST_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert language._unpacked_model() is None
    assert not any(tmp_path.iterdir())
