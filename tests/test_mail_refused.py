"""An address the mail server refuses for good (a 5xx) is remembered, and sends to the [mail]
list skip it until `mediadigest mail enable`; one refused for now (a 4xx) is tried again.

A press office's list of 2,000 held 300 dead addresses: each was tried at every send, and
the CLI printed a line for each refusal. A real SMTP server (aiosmtpd, tests/smtp_server.py)
refuses one address 550 and defers another (451, a greylist's "try again later").
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.errors import FormatError
from mediadigest.web import mailing, persist
from mediadigest.write import mail
from smtp_server import serving
from web_support import WEEK

SENDER = "Press Office <press@example.org>"
DEAD, BUSY = "dead@example.org", "busy@example.org"
LIST = ("a@example.org", DEAD, BUSY, "b@example.org")


def _cli(seeded, *args: str):
    return CliRunner().invoke(app, ["--db", seeded.settings.db, *args])


def _point_at(monkeypatch, port: int, to: tuple[str, ...]) -> None:
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(port)), ("SECURITY", "none"),
                        ("FROM", SENDER), ("TO", ",".join(to))):  # fmt: skip
        monkeypatch.setenv(f"MEDIADIGEST_MAIL_{name}", value)


@pytest.fixture
def box(monkeypatch):
    """A server refusing ``DEAD`` for good and deferring ``BUSY``; the CLI's list at it."""
    with serving(refuse=(DEAD,), defer=(BUSY,)) as inbox:
        _point_at(monkeypatch, inbox.port, LIST)
        yield inbox


def _refused(seeded) -> dict[str, mailing.Refusal]:
    with seeded.engine.connect() as conn:
        return mailing.refused_for_good(conn)


def _mailed(box, since: int = 0) -> list[str]:
    return [a for e in box.envelopes[since:] for a in e.rcpt_tos]


def test_a_5xx_is_remembered_with_its_reply_and_a_4xx_is_not(seeded, box):
    first = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert first.exit_code == 1
    assert sorted(_mailed(box)) == ["a@example.org", "b@example.org"]
    refused = _refused(seeded)
    assert list(refused) == [DEAD]
    assert refused[DEAD].reply == "550 5.1.1 no such user here"
    assert refused[DEAD].at is not None
    # One line for the send, however many are refused, naming a few and where to look.
    lines = [line for line in first.output.splitlines() if "refused" in line]
    assert len(lines) == 1, first.output
    assert "version 1: mailed to 2 recipients via" in lines[0]
    assert f"refused 2 ({DEAD} (550 5.1.1 no such user here); {BUSY} (451 " in lines[0]
    assert "1 address refused for good (5xx) skipped from now on" in lines[0]
    assert "`mediadigest mail refused` lists them" in lines[0]


def test_the_next_send_skips_the_5xx_says_so_and_still_tries_the_4xx(seeded, box):
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    box.asked.clear()
    taken = len(box.envelopes)
    again = _cli(seeded, "publish", "--week", WEEK, "--mail-again")
    assert DEAD not in box.asked and BUSY in box.asked
    assert sorted(_mailed(box, taken)) == ["a@example.org", "b@example.org"]
    assert (
        f"skipped 1 address refused for good (5xx) by earlier sends ({DEAD} (550 5.1.1 no "
        "such user here)): `mediadigest mail refused` lists them" in again.output
    )
    assert again.exit_code == 1  # the 4xx is still refused
    logged = _last_mail_logged(seeded)
    assert logged["skipped"] == 1 and logged["not_mailed"] == [BUSY]


def test_publish_mail_again_mails_the_4xx_not_the_5xx(seeded, box):
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    box.defer.clear()  # the greylist lets it through now
    box.asked.clear()
    taken = len(box.envelopes)
    retry = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert retry.exit_code == 0, retry.output
    assert "mailing the 1 reader it did not reach" in retry.output
    assert box.asked == [BUSY] and _mailed(box, taken) == [BUSY]


def test_mail_refused_lists_and_mail_enable_lets_the_list_mail_it_again(seeded, box):
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    listed = _cli(seeded, "mail", "refused")
    assert listed.exit_code == 0
    address, when, reply = listed.stdout.strip().split("\t")
    assert (address, reply) == (DEAD, "550 5.1.1 no such user here") and when[:2] == "20"
    enabled = _cli(seeded, "mail", "enable", DEAD)
    assert enabled.exit_code == 0, enabled.output
    assert _refused(seeded) == {}
    a = persist.audit_log.c
    with seeded.engine.connect() as conn:
        done = conn.execute(sa.select(a.user_name, a.action, a.target).order_by(a.id)).all()
    assert ("cli", "mail.enable", DEAD) in [tuple(row) for row in done]
    box.refuse = ()  # its mailbox is made again
    box.defer.clear()
    taken = len(box.envelopes)
    sent = _cli(seeded, "publish", "--week", WEEK, "--mail-again")
    assert sent.exit_code == 0, sent.output
    assert DEAD in _mailed(box, taken) and "skipped" not in sent.output


def test_enabling_an_address_not_refused_is_an_error(seeded, box):
    result = _cli(seeded, "mail", "enable", "who@example.org")
    assert result.exit_code == 1
    assert "who@example.org: not refused" in result.output


def test_an_address_refused_again_after_enabling_is_remembered_again(seeded, box):
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    assert _cli(seeded, "mail", "enable", DEAD).exit_code == 0
    assert _cli(seeded, "publish", "--week", WEEK, "--mail-again").exit_code == 1
    assert list(_refused(seeded)) == [DEAD]


def test_an_address_named_with_mail_to_is_tried_even_when_refused_for_good(seeded, box):
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    box.refuse = ()
    box.asked.clear()
    sent = _cli(seeded, "publish", "--week", WEEK, "--mail-to", DEAD)
    assert sent.exit_code == 0, sent.output
    assert box.asked == [DEAD]
    assert _refused(seeded) == {}  # taken now: the list mails it again


def test_a_send_whose_every_recipient_is_refused_remembers_none_and_says_so(seeded, monkeypatch):
    # A relay refusing a client that did not log in answers every RCPT 550 5.7.1: the whole
    # list was kept as refused for good, and no later send reached anyone.
    relay = "550 5.7.1 Relaying denied: authenticate first"
    with serving(every=relay) as inbox:
        _point_at(monkeypatch, inbox.port, LIST)
        first = _cli(seeded, "publish", "--week", WEEK, "--mail")
        assert first.exit_code == 1
        assert (
            f"the server refused every recipient ({relay}): check mail.user/password/port; "
            "nothing was remembered; it stays published, and the same `publish --mail` "
            "mails it" in " ".join(first.output.split())
        )
        assert _refused(seeded) == {}
        inbox.every = None  # logged in, say: the same command mails the whole list
        again = _cli(seeded, "publish", "--week", WEEK, "--mail")
        assert again.exit_code == 0, again.output
        assert sorted(_mailed(inbox)) == sorted(LIST)


def test_a_mailbox_refused_alone_is_not_remembered_either(seeded, monkeypatch):
    # One reader, refused 5.1.1: nothing says whether the server or the address is at fault.
    with serving(refuse=(DEAD,)) as inbox:
        _point_at(monkeypatch, inbox.port, (DEAD,))
        first = _cli(seeded, "publish", "--week", WEEK, "--mail")
        assert first.exit_code == 1 and "nothing was remembered" in first.output
        assert _refused(seeded) == {}


def test_a_list_whose_every_address_was_refused_sends_nothing_and_says_why(seeded, monkeypatch):
    with serving(refuse=(DEAD,)) as inbox:
        _point_at(monkeypatch, inbox.port, ("a@example.org", DEAD))
        assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
        assert list(_refused(seeded)) == [DEAD]
        _point_at(monkeypatch, inbox.port, (DEAD,))  # the list is the dead address alone
        inbox.asked.clear()
        again = _cli(seeded, "publish", "--week", WEEK, "--mail")
        assert again.exit_code == 1 and inbox.asked == []
        said = " ".join(again.output.split())
        assert "the 1 address to mail refused for good by earlier sends: nothing sent" in said
        assert "`mediadigest mail enable ADDR` tries one again" in said
        # The same command would skip it again: it is not offered.
        assert "the same `publish --mail` mails it" not in said


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        ("550 5.1.1 <x>: Recipient address rejected: User unknown", True),
        ("550 5.1.10 Recipient address rejected: null MX", True),
        ("553 5.1.3 Bad recipient address syntax", True),
        ("550 Requested action not taken: mailbox unavailable", True),  # no enhanced code
        ("551 User not local", True),
        ("550 5.7.1 Relaying denied", False),
        ("554 5.7.1 Client host rejected: Access denied", False),
        ("530 5.7.0 Authentication required", False),
        ("550 5.3.0 System error", False),
        ("554 Transaction failed", False),
    ],
)
def test_only_a_refusal_of_the_mailbox_is_remembered(seeded, monkeypatch, reply, kept):
    with serving(replies={DEAD: reply}) as inbox:
        _point_at(monkeypatch, inbox.port, ("a@example.org", DEAD))
        result = _cli(seeded, "publish", "--week", WEEK, "--mail")
        assert result.exit_code == 1
        assert list(_refused(seeded)) == ([DEAD] if kept else [])
        assert ("skipped from now on" in result.output) is kept
        # One not kept is the next send's: the same command tries it again.
        assert ("the same `publish --mail` mails those not reached" in result.output) is not kept


@pytest.mark.parametrize("over", ["552 5.5.3 Too many recipients", "550 5.5.3 Too many recipients",
                                  "552 Too many recipients"])  # fmt: skip
def test_a_552_or_5_5_3_past_the_servers_limit_goes_in_later_messages(seeded, monkeypatch, over):
    # RFC 5321 4.5.3.1.10: older servers answer 552 past their recipient limit; a client is
    # to take it as 452. The list was remembered as refused for good past the first two.
    readers = tuple(f"r{i}@example.org" for i in range(5))
    with serving(limit=2, over_limit=over) as inbox:
        _point_at(monkeypatch, inbox.port, readers)
        result = _cli(seeded, "publish", "--week", WEEK, "--mail")
        assert result.exit_code == 0, result.output
        assert [len(e.rcpt_tos) for e in inbox.envelopes] == [2, 2, 1]
        assert sorted(_mailed(inbox)) == sorted(readers)
    assert _refused(seeded) == {}


def test_refusals_are_matched_in_any_case(seeded, box, monkeypatch):
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    assert list(_refused(seeded)) == [DEAD]
    # The list re-cased (an edit, an import from a CRM): still skipped.
    _point_at(monkeypatch, box.port, ("a@example.org", DEAD.upper()))
    box.asked.clear()
    again = _cli(seeded, "publish", "--week", WEEK, "--mail-again")
    assert again.exit_code == 0, again.output
    assert box.asked == ["a@example.org"] and "skipped 1 address" in again.output
    # Enabled as typed in another case.
    enabled = _cli(seeded, "mail", "enable", "Dead@Example.ORG")
    assert enabled.exit_code == 0, enabled.output
    assert _refused(seeded) == {}


def test_an_address_refused_in_two_cases_is_kept_once(sqlite_engine):
    with sqlite_engine.begin() as conn:
        mailing.remember_refused(conn, {DEAD: "550 5.1.1 a"})
        mailing.remember_refused(conn, {DEAD.upper(): "550 5.1.1 b"})
    with sqlite_engine.connect() as conn:
        kept = mailing.refused_for_good(conn)
        rows = conn.execute(sa.text("select address from mail_refused")).scalars().all()
    assert rows == [DEAD.upper()] and kept[DEAD].reply == "550 5.1.1 b"
    with sqlite_engine.begin() as conn:
        assert mailing.enable(conn, ["dEaD@example.org"]) == 1


def test_an_address_named_with_mail_to_off_the_list_is_never_remembered(seeded, box):
    typo = "edtior@example.org"
    box.refuse = (typo, DEAD)
    sent = _cli(seeded, "publish", "--week", WEEK, "--mail-to", typo, "--mail-to",
                "a@example.org")  # fmt: skip
    assert sent.exit_code == 1
    assert _refused(seeded) == {} and "skipped from now on" not in sent.output
    # One of the list named so is: the list's sends would be refused it too.
    sent = _cli(seeded, "publish", "--week", WEEK, "--mail-to", DEAD, "--mail-to",
                "a@example.org")  # fmt: skip
    assert sent.exit_code == 1 and list(_refused(seeded)) == [DEAD]


def test_many_refusals_are_one_line_naming_a_few(seeded, monkeypatch):
    dead = tuple(f"gone{i:02}@example.org" for i in range(30))
    with serving(refuse=dead) as inbox:
        _point_at(monkeypatch, inbox.port, ("a@example.org", *dead))
        result = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "gone" in line]
    assert len(lines) == 1 and "refused 30 (gone00@example.org (550" in lines[0]
    assert "and 27 more" in lines[0]
    assert "30 addresses refused for good (5xx) skipped from now on" in lines[0]
    assert len(_refused(seeded)) == 30


def _last_mail_logged(seeded) -> dict:
    a = persist.audit_log.c
    query = sa.select(a.detail).where(a.action == "digest.mail").order_by(a.id.desc())
    with seeded.engine.connect() as conn:
        return conn.execute(query).scalars().first()


def test_refused_addresses_move_with_the_accounts_and_stay_out_of_a_shared_export(
    sqlite_engine, tmp_path
):
    with sqlite_engine.begin() as conn:
        mailing.remember_refused(conn, {DEAD: "550 5.1.1 no such user here"})
    with sqlite_engine.connect() as conn:
        moved, shared = io.StringIO(), io.StringIO()
        store.export_jsonl(conn, moved)
        store.export_jsonl(conn, shared, accounts=False)
    assert DEAD not in shared.getvalue()
    records = [json.loads(line) for line in moved.getvalue().splitlines()[1:-1]]
    assert [r["address"] for r in records if r["type"] == "refusal"] == [DEAD]
    other = store.open_store(f"sqlite:///{tmp_path / 'other.db'}")
    with other.begin() as conn:
        store.import_jsonl(conn, io.StringIO(moved.getvalue()), accounts=True)
    with other.connect() as conn:
        assert mailing.refused_for_good(conn)[DEAD].reply == "550 5.1.1 no such user here"
    other.dispose()


def _export_with(sqlite_engine, **changed) -> str:
    """An export (with the accounts) whose one refusal has ``changed`` fields."""
    with sqlite_engine.begin() as conn:
        mailing.remember_refused(conn, {DEAD: "550 5.1.1 no such user here"})
    with sqlite_engine.connect() as conn:
        moved = io.StringIO()
        store.export_jsonl(conn, moved)
    lines = []
    for line in moved.getvalue().splitlines():
        record = json.loads(line)
        if record.get("type") == "refusal":
            record |= changed
            record = {k: v for k, v in record.items() if v is not _GONE}
        lines.append(json.dumps(record))
    return "\n".join(lines) + "\n"


_GONE = object()  # a field left out of the record


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"address": "Bob <bob@x.org>"}, "refusal 'Bob <bob@x.org>': field 'address' is not a"),
        ({"address": ""}, "refusal '': field 'address' is not a plain envelope address"),
        ({"address": 5}, "refusal 5: field 'address' is not a plain envelope address"),
        ({"address": None}, "refusal None: field 'address' is not a plain envelope address"),
        ({"address": "bob@x.org\nBcc: eve@y.org"}, "refusal 'bob@x.org\\nBcc: eve@y.org': "),
        ({"address": "a@b@x.org"}, "refusal 'a@b@x.org': field 'address' is not a plain"),
        ({"address": "a" * 320 + "@x.org"}, "field 'address' is not a plain envelope address"),
        ({"reply": None}, f"refusal {DEAD}: field 'reply' is None, not a text"),
        ({"reply": ""}, f"refusal {DEAD}: field 'reply' is '', not a text"),
        ({"reply": _GONE}, f"refusal {DEAD}: field 'reply' is None, not a text"),
        ({"refused_at": None}, f"refusal {DEAD}: field 'refused_at' is None, not an ISO 8601"),
        ({"refused_at": "yesterday"}, f"refusal {DEAD}: field 'refused_at' is 'yesterday', "),
    ],
)
def test_an_import_refuses_a_refusal_it_could_not_use(sqlite_engine, tmp_path, changed, reason):
    text = _export_with(sqlite_engine, **changed)
    other = store.open_store(f"sqlite:///{tmp_path / 'third.db'}")
    try:
        with pytest.raises(FormatError) as refused, other.begin() as conn:
            store.import_jsonl(conn, io.StringIO(text), accounts=True)
        assert re.search(r":\d+: ", str(refused.value)) and reason in str(refused.value)
        with other.connect() as conn:
            assert mailing.refused_for_good(conn) == {}
    finally:
        other.dispose()


def test_an_imported_refusal_time_with_an_offset_is_kept_in_utc(sqlite_engine, tmp_path):
    text = _export_with(sqlite_engine, refused_at="2026-11-24T12:00:00+05:00")
    other = store.open_store(f"sqlite:///{tmp_path / 'third.db'}")
    with other.begin() as conn:
        store.import_jsonl(conn, io.StringIO(text), accounts=True)
    with other.connect() as conn:
        assert mailing.refused_for_good(conn)[DEAD].at == datetime(2026, 11, 24, 7)
    other.dispose()


@pytest.mark.parametrize(
    ("code", "text", "limit"),
    [
        (552, b"5.2.2 Mailbox full", False),  # that mailbox's answer, not the server's limit
        (452, b"4.2.2 Mailbox full", False),
        (552, b"Too many recipients", True),  # the historic code, taken as 452
        (452, b"4.5.3 Too many recipients", True),
        (550, b"5.5.3 Too many recipients", True),
    ],
)
def test_only_a_reply_about_the_recipients_count_is_a_limit(code, text, limit):
    assert mail.over_limit(code, text) is limit
    assert not mail.refused_for_good(code, text)  # neither kind is a mailbox that is gone
