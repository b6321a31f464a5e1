"""Profile checks a new country's author meets: aliases that cannot match, country codes, tabs.

Each error is one line naming the profile file and the key at fault, as the CLI prints it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mediadigest.errors import ProfileError
from mediadigest.profile import load_profile

GEORGIA = """\
name: georgia
country: Georgia
country_code: GE
adjective: Georgian
threshold: 2
names:
  Georgia:
    aliases: [Georgia*, Sakartvelo]
places:
  Tbilisi: [Tbilisi]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "georgia.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as info:
        load_profile(write(tmp_path, text))
    message = str(info.value)
    assert f"profile {tmp_path / 'georgia.yaml'}: " in message
    assert "\n" not in message
    return message


# -- aliases that can never match, or would match everywhere ----------------------------------


@pytest.mark.parametrize(
    "alias",
    [
        "Georgi(a|an)",
        "Tbilisi|Тбилиси",
        "^Tbilisi$",
        "[Tt]bilisi",
        "\\\\bTbilisi\\\\b",  # YAML "\\b" is the two characters \b
        "Tbilis.*",
        "Tbilisi?",
        "Tbilisi.+",
    ],
)
def test_an_alias_written_as_a_regular_expression_is_an_error(tmp_path, alias):
    text = GEORGIA.replace("Tbilisi: [Tbilisi]", f'Tbilisi: ["{alias}"]')
    message = error_for(tmp_path, text)
    shown = alias.replace("\\\\", "\\")
    assert f"places.Tbilisi.aliases: alias {shown!r} looks like a regular expression" in message
    assert "aliases are plain text" in message


@pytest.mark.parametrize("alias", ["-", "*-*", "'", "...", "*"])
def test_an_alias_without_a_letter_or_digit_is_an_error(tmp_path, alias):
    # "-" became the key " " (every space), "*-*" the empty key: a hit in every article.
    text = GEORGIA.replace("Tbilisi: [Tbilisi]", f'Tbilisi: [Tbilisi, "{alias}"]')
    message = error_for(tmp_path, text)
    assert f"places.Tbilisi.aliases: alias {alias!r} has no letter or digit" in message


@pytest.mark.parametrize("alias", ["Kaspi.kz", "C5+1", "St. Petersburg", "Tbilisi*", "1TV"])
def test_dots_and_pluses_of_real_names_stay_allowed(tmp_path, alias):
    text = GEORGIA.replace("Tbilisi: [Tbilisi]", f'Tbilisi: [Tbilisi, "{alias}"]')
    loaded = load_profile(write(tmp_path, text))
    assert alias.rstrip("*") in {t.alias for t in loaded.terms}


def test_a_theme_term_written_as_a_regular_expression_is_an_error(tmp_path):
    text = GEORGIA + "themes:\n  wine:\n    strong: {en: ['(wine|vineyard)s?']}\n"
    assert "themes.wine.strong.en: alias '(wine|vineyard)s?'" in error_for(tmp_path, text)


# -- country codes ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["GEO", "G", "G1", "Georgia", "'268'"])
def test_a_country_code_that_is_not_iso_alpha_2_is_an_error(tmp_path, code):
    message = error_for(tmp_path, GEORGIA.replace("country_code: GE", f"country_code: {code}"))
    wrong = code.strip("'")
    assert f"country_code: {wrong!r} is not an ISO 3166-1 alpha-2 code (two letters" in message


def test_a_country_code_in_lower_case_is_upper_cased(tmp_path):
    loaded = load_profile(write(tmp_path, GEORGIA.replace("country_code: GE", "country_code: ge")))
    assert loaded.country_code == "GE"


def test_an_outlets_country_is_an_iso_code_too(tmp_path):
    text = GEORGIA + "outlets:\n  civil.ge: {name: Civil Georgia, country: GEO}\n"
    message = error_for(tmp_path, text)
    assert "outlets.civil.ge.country: 'GEO' is not an ISO 3166-1 alpha-2 code" in message


def test_norway_unquoted_says_to_quote_it(tmp_path):
    # YAML 1.1 reads NO as false: the old message said "expected text, got bool False".
    text = GEORGIA + "outlets:\n  nrk.no: {name: NRK, country: NO}\n"
    message = error_for(tmp_path, text)
    assert "outlets.nrk.no.country: got false, not a code: quote it" in message


# -- tabs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (GEORGIA.replace("    aliases: [Georgia*", "\taliases: [Georgia*"), 8),
        (GEORGIA.replace("    aliases: [Georgia*", "  \taliases: [Georgia*"), 8),
        (GEORGIA.replace("  Tbilisi: [Tbilisi]", "\tTbilisi: [Tbilisi]"), 10),
        (GEORGIA.replace("    aliases: [Georgia*, Sakartvelo]", "    aliases:\n\t- Georgia*"), 9),
        (GEORGIA.replace("    aliases: [Georgia*, Sakartvelo]", "    aliases:\n    -\tGeorgia"), 9),
    ],
)
def test_a_tab_in_the_indentation_is_named_with_its_line(tmp_path, text, line):
    message = error_for(tmp_path, text)
    assert f"invalid YAML at line {line}: tabs are not allowed for indentation" in message


def test_a_tab_between_values_is_no_error(tmp_path):
    text = GEORGIA.replace("[Georgia*, Sakartvelo]", "[Georgia*,\tSakartvelo]\t# a comment")
    assert load_profile(write(tmp_path, text)).country_code == "GE"


def test_other_yaml_errors_keep_their_line_and_column(tmp_path):
    message = error_for(tmp_path, GEORGIA.replace("[Tbilisi]", "[Tbilisi"))
    assert "invalid YAML at line" in message and ", column " in message


def test_the_cli_prints_a_profile_error_on_one_line(tmp_path):
    bad = write(tmp_path, GEORGIA.replace("  Tbilisi: [Tbilisi]", "\tTbilisi: [Tbilisi]"))
    store = f"sqlite:///{tmp_path / 'store.db'}"
    cmd = [sys.executable, "-m", "mediadigest", "--db", store, "--profile", str(bad), "articles"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: profile {bad}: invalid YAML at line 10: tabs are not allowed for indentation; "
        "indent with spaces"
    ]


# -- keys given twice, values that make no sense ----------------------------------------------


def test_a_key_given_twice_is_an_error_naming_its_line(tmp_path):
    # PyYAML kept the second "Tbilisi:" and threw the first one's aliases away without a word.
    text = GEORGIA + "  Batumi: [Batumi]\n  Tbilisi: [Tiflis]\n"
    message = error_for(tmp_path, text)
    assert message.endswith("line 12: key 'Tbilisi' is given twice (first at line 10)")


def test_a_key_given_twice_inside_a_flow_mapping_is_an_error(tmp_path):
    text = GEORGIA + "outlets:\n  civil.ge: {name: Civil Georgia, name: Civil.ge}\n"
    assert "line 12: key 'name' is given twice (first at line 12)" in error_for(tmp_path, text)


def test_a_key_overriding_a_merged_one_is_no_error(tmp_path):
    # "<<" brings keys in that the mapping may then override: that is what merge keys are for.
    text = GEORGIA + (
        "outlets:\n"
        "  civil.ge: &home {name: Civil Georgia, country: GE, weight: 0.5}\n"
        "  imedi.ge:\n    <<: *home\n    name: Imedi\n"
    )
    loaded = load_profile(write(tmp_path, text))
    assert loaded.outlets["imedi.ge"].name == "Imedi"
    assert loaded.outlets["imedi.ge"].weight == 0.5


@pytest.mark.parametrize("value", ["-1", "0", "0.0"])
def test_a_threshold_at_or_below_zero_is_an_error(tmp_path, value):
    # An article naming nothing of the country scores 0: every article would be relevant.
    message = error_for(tmp_path, GEORGIA.replace("threshold: 2", f"threshold: {value}"))
    assert f"threshold: {value} would make every article relevant: give a score above 0" in message


@pytest.mark.parametrize("peer", ["Georgia", "Sakartvelo", "GEORGIA*"])
def test_the_country_among_its_own_peers_is_an_error(tmp_path, peer):
    text = GEORGIA + f"peers: [Armenia*, {peer}, Azerbaijan*]\n"
    message = error_for(tmp_path, text)
    assert f"peers: {peer!r} names the country itself (names.Georgia)" in message


def test_peers_naming_other_countries_load(tmp_path):
    loaded = load_profile(write(tmp_path, GEORGIA + "peers: [Armenia*, Azerbaijan*, Tbilisi]\n"))
    assert {t.canonical for t in loaded.terms if t.kind == "peer"} == {"Armenia", "Azerbaijan"}
