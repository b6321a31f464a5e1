"""Bylines as the digest names them: people only, in their own spelling, desks and roles off."""

import pytest

from mediadigest.write.byline import clean


@pytest.mark.parametrize(
    ("byline", "outlet", "named"),
    [
        ("Aliya Serikbayeva", "Steppe Wire", "Aliya Serikbayeva"),
        ("By Dana Omarova", None, "Dana Omarova"),
        ("Analysis by Timur Akhmetov; Gazette Editor-at-large", "Gazette", "Timur Akhmetov"),
        ("MARAT ORAZOV; AP Central Asia Writer", "Harbour Daily", "Marat Orazov"),
        ("JEAN-PIERRE DUVAL", None, "Jean-Pierre Duval"),
        ("ANNA LEE", None, "Anna Lee"),
        ("Paul Kemel; Staff writer", "Harbour Daily", "Paul Kemel"),
        ("Saule Iskakova News reporter", "Sky Wire", "Saule Iskakova"),
        ("Erlan Dosov is a reporter", None, "Erlan Dosov"),
        ("Gulnara Abenova November", None, "Gulnara Abenova"),
        ("Ivan Petrov Monday; November", None, "Ivan Petrov"),
        ("Theresa May", None, "Theresa May"),
        ("June Bekova; Staff writer", None, "June Bekova"),
        ("Ruslan Beisen; Ruslan K Beisen; Harbour com", "Harbour", "Ruslan Beisen"),
        ("Nurlan Serik Steppe International", "SteppeInt", "Nurlan Serik"),
        ("Asel Nur; Bota Kim", None, "Asel Nur and Bota Kim"),
        (
            "AIGUL SEIT; DINA OMAR; MARAT ALI Associated Press",
            None,
            "Aigul Seit, Dina Omar and Marat Ali",
        ),
        ("A One; B Two; C Three; D Four", None, "A One, B Two, C Three and others"),
        ("Dana Omarova, Moscow correspondent", None, "Dana Omarova, Moscow correspondent"),
        ("Текст Марат Ержанов", "Wday", "Marat Yerzhanov"),
        ("Sarah E Kaldy", None, "Sarah E Kaldy"),
        ("Marcus De Guzman", None, "Marcus De Guzman"),
        # No person: a desk, the outlet, an agency, a collective, a single word.
        ("Caspian Ledger desk", "Caspian Ledger", None),
        ("Steppe Wire", "Steppe Wire", None),
        ("Harbour Post News Weekly", "Harbour Post", None),
        ("Reuters", "Harbour Daily", None),
        ("The Associated Press", "Harbour Daily", None),
        ("Staff Reports", None, None),
        ("HNN Staff", None, None),
        ("News Nation Bureau", None, None),
        ("Harbour Sport", None, None),
        ("Admin", None, None),
        ("Municipal Office de Santa Ana do Sul", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_a_byline_names_the_people_who_wrote(byline, outlet, named):
    assert clean(byline, outlet) == named
