"""A list larger than the SMTP server's per-message recipient limit: a real server (aiosmtpd,
tests/smtp_server.py) answers 452 past its limit, as Postfix, Exchange and hosted mail do.

A walk mailed a list of 150 through a server taking 100 a message: every run mailed the first
100 and called the other 50 refused (452 is "try again later"), every retry (cron, the API,
Mail it again) mailed the same 100 again (tests/test_mail_rest.py), and the log said "mailed
... to 10000 recipients".
"""

from __future__ import annotations

import logging

import pytest

from mediadigest.config import MailSettings, load_settings
from mediadigest.errors import ConfigError, MailError
from mediadigest.write import mail
from smtp_server import serving
from test_mail import _digest

SENDER = "Press Office <press@example.org>"


def _readers(count: int) -> tuple[str, ...]:
    return tuple(f"r{i:03}@example.org" for i in range(count))


def _settings(port: int, to: tuple[str, ...] = (), **kwargs) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", sender=SENDER, to=to,
                        timeout=5, **kwargs)  # fmt: skip


def _send(port: int, recipients: tuple[str, ...], **kwargs) -> mail.Sent:
    message = mail.build_message(_digest(), sender=SENDER, recipients=recipients)
    return mail.send(message, recipients, _settings(port, **kwargs))


# -- sending: batches, 4xx tried again, 5xx refused --------------------------------------------


def test_a_list_goes_in_messages_of_per_message_recipients(caplog):
    readers = _readers(250)
    with serving() as box, caplog.at_level(logging.INFO, logger="mediadigest.write.mail"):
        sent = _send(box.port, readers, per_message=100)
    assert [len(e.rcpt_tos) for e in box.envelopes] == [100, 100, 50]
    assert [a for e in box.envelopes for a in e.rcpt_tos] == list(readers)
    assert sent.accepted == list(readers) and sent.refused == {} and sent.messages == 3
    assert "to 250 recipients in 3 messages via" in caplog.text


def test_the_default_is_100_recipients_a_message():
    with serving() as box:
        _send(box.port, _readers(150))
    assert [len(e.rcpt_tos) for e in box.envelopes] == [100, 50]


def test_a_452_past_the_servers_limit_is_sent_in_a_later_message_not_refused(caplog):
    # The walk's server: 452 after 100 recipients of a message; here after 40, sent 100 a
    # message: the 60 it would not take go in the next, and the rest 40 a message.
    readers = _readers(150)
    with serving(limit=40) as box, caplog.at_level(logging.INFO, logger="mediadigest.write.mail"):
        sent = _send(box.port, readers)
    assert sent.refused == {} and sorted(sent.accepted) == list(readers)
    assert sorted(a for e in box.envelopes for a in e.rcpt_tos) == list(readers)
    assert all(len(e.rcpt_tos) <= 40 for e in box.envelopes)
    assert len(box.envelopes) == 4  # 40 taken of 100, then 40 a message: 40, 40, 30
    assert "to 150 recipients in 4 messages via" in caplog.text


def test_a_4xx_is_tried_in_two_later_messages_then_refused_and_a_5xx_at_once():
    readers = ("a@example.org", "late@example.org", "nobody@example.org", "b@example.org")
    with serving(refuse=("nobody@example.org",), defer=("late@example.org",)) as box:
        sent = _send(box.port, readers, per_message=2)
    assert sent.accepted == ["a@example.org", "b@example.org"]
    assert sent.refused == {
        "late@example.org": "451 4.7.1 Greylisted, try again later",
        "nobody@example.org": "550 5.1.1 no such user here",
    }
    assert box.asked.count("late@example.org") == 3
    assert box.asked.count("nobody@example.org") == 1


def test_a_connection_closed_midway_keeps_what_was_sent_and_names_the_rest():
    # Some have it: not a MailError (nothing logged, and the retry mailed them again).
    readers = _readers(5)
    with serving(closing_after=1) as box:
        sent = _send(box.port, readers, per_message=2)
    assert sent.accepted == list(readers[:2])
    assert set(sent.refused) == set(readers[2:])
    assert sent.refused[readers[2]] == (
        "not sent: the server refused the message (421 4.3.2 Service shutting down)"
    )


def test_every_recipient_refused_names_a_few_not_thousands():
    readers = tuple(f"nobody{i}@example.org" for i in range(8))
    replies = {r: f"550 5.1.1 <{r}>: no such user" for r in readers}  # Postfix names each
    with serving(replies=replies) as box, pytest.raises(MailError) as raised:
        _send(box.port, readers, per_message=3)
    said = str(raised.value)
    assert said.endswith(
        "nobody2@example.org: 550 5.1.1 <nobody2@example.org>: no such user and 5 more): "
        "check mail.user/password/port; nothing was remembered"
    )
    assert said.count("nobody") == 6  # three named, each in its reply too


# -- the settings ------------------------------------------------------------------------------


def _loaded(tmp_path, env: dict[str, str]) -> MailSettings:
    return load_settings(db=None, profile=None, env=env, cwd=tmp_path).mail


def test_per_message_is_read_from_the_file_and_the_environment(tmp_path):
    assert _loaded(tmp_path, {}).per_message == 100
    (tmp_path / "mediadigest.toml").write_text(
        '[mail]\nhost = "smtp.example.org"\nper_message = 50\n'
    )
    assert _loaded(tmp_path, {}).per_message == 50
    assert _loaded(tmp_path, {"MEDIADIGEST_MAIL_PER_MESSAGE": "500"}).per_message == 500


@pytest.mark.parametrize("value", ["0", "1001", "many", "-5"])
def test_a_bad_per_message_is_an_error_naming_the_variable(tmp_path, value):
    with pytest.raises(ConfigError) as raised:
        _loaded(tmp_path, {"MEDIADIGEST_MAIL_PER_MESSAGE": value})
    assert str(raised.value) == (
        f"MEDIADIGEST_MAIL_PER_MESSAGE: cannot use {value!r} "
        "(give a number of recipients from 1 to 1000)"
    )


def test_an_http_unsubscribe_address_is_refused_as_the_readme_says(tmp_path):
    # The README says mailto: or https:; http: was taken.
    config = tmp_path / "mediadigest.toml"
    config.write_text('[mail]\nunsubscribe = ["http://example.org/leave"]\n')
    with pytest.raises(ConfigError) as raised:
        _loaded(tmp_path, {})
    assert str(raised.value) == (
        f"config file {config}: mail.unsubscribe: cannot use 'http://example.org/leave' "
        "(give an https: address, not http:)"
    )
    assert _loaded(tmp_path, {"MEDIADIGEST_MAIL_UNSUBSCRIBE": "https://example.org/leave"})
