"""The one summary line a run ends with."""

from mediadigest.run import RunReport


def test_the_relevant_count_says_it_counts_the_new_articles():
    report = RunReport(documents=3, articles=2, already_stored=1, relevant=1)
    assert report.summary().startswith(
        "collected 3 documents, 2 new articles (1 already stored), 1 of them relevant"
    )


def test_a_rerun_that_stored_nothing_new_does_not_say_none_was_relevant():
    report = RunReport(documents=18, already_stored=18)
    assert report.summary() == "collected 18 documents, 0 new articles (18 already stored)"
