"""Copies collapse: exact (same words) and near (wire copy with other boilerplate), via MinHash."""

from mediadigest.stories.dedup import find_duplicates, text_hash

WIRE = (
    "Kazakhstan and Japan agreed on Thursday to study a joint uranium enrichment project, "
    "the energy ministry said, after talks in Tokyo between the two governments. The plant "
    "would process ore from the south of Kazakhstan and could start work in 2030, officials "
    "said, adding that financing had not yet been agreed. Japanese utilities buy about a "
    "fifth of their uranium from Kazakh mines, according to industry figures."
)


def test_exact_copies_share_a_hash_whatever_the_case_and_spacing():
    assert text_hash(WIRE) == text_hash("  " + WIRE.upper().replace(" ", "\n"))


def test_an_exact_copy_joins_the_first_report():
    groups = find_duplicates([WIRE, "Something else entirely about football.", WIRE])
    assert [g.members for g in groups] == [[0, 2], [1]]
    assert groups[0].exact == [2]


def test_a_syndicated_copy_with_other_boilerplate_is_a_near_copy():
    copy = f"TOKYO (Wire) -- {WIRE}\n\nSign up for our newsletter. Follow us for more news."
    groups = find_duplicates([WIRE, copy])
    assert [g.members for g in groups] == [[0, 1]]
    assert groups[0].exact == []


def test_a_lightly_edited_copy_is_a_near_copy():
    edited = WIRE.replace("on Thursday", "this week").replace("officials said", "it said")
    assert len(find_duplicates([WIRE, edited])) == 1


def test_another_report_of_the_same_event_is_not_a_copy():
    other = (
        "Japan will help Kazakhstan build a uranium enrichment plant, Tokyo said, as the two "
        "countries look for nuclear fuel supplies that do not pass through Russia. No date "
        "was set for a decision on the project, which would cost several billion dollars."
    )
    assert len(find_duplicates([WIRE, other])) == 2


def test_the_earliest_in_the_given_order_leads_the_group():
    copy = WIRE + " Reporting by the desk."
    groups = find_duplicates([copy, WIRE], order=[1, 0])
    assert groups[0].primary == 1 and groups[0].copies == [0]


def test_empty_texts_are_never_copies_of_each_other():
    assert len(find_duplicates(["", "  "])) == 1  # equal hash: one exact group
    assert len(find_duplicates(["", WIRE])) == 2
