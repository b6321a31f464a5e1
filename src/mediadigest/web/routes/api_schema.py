"""What the JSON API takes and answers: its models, its error declarations, and the check
that refuses a query parameter an operation does not take (`routes.api` has the operations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field, field_validator

from mediadigest.model import is_web_url
from mediadigest.web.persist import Role


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an operation takes, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def no_unknown_query(request: Request) -> None:
    """Refuse a query parameter the operation does not take (422, FastAPI's shape), naming
    it: ignored, ``relevant=false`` or ``page=2`` answered 200 with what was not asked for."""
    route = request.scope.get("route")
    known = _query_names(route.dependant) if route is not None else set()
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in known]
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": f"unknown query parameter {name!r} (this takes: {takes})",
                    "input": request.query_params[name],
                }
                for name in unknown
            ]
        )


class Problem(BaseModel):
    """Every refusal but a 422: what was wrong, in a sentence."""

    detail: str


class InvalidField(BaseModel):
    loc: list[str | int] = Field(description='Where: `["query", "limit"]`, `["body", "url"]`.')
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class Invalid(BaseModel):
    """A 422: the request's parameters or body, field by field (FastAPI's shape)."""

    detail: list[InvalidField]


def problem(description: str, **headers: str) -> dict[str, Any]:
    found: dict[str, Any] = {"model": Problem, "description": description}
    if headers:
        found["headers"] = {k: {"description": v, "schema": {"type": "string"}}
                            for k, v in headers.items()}  # fmt: skip
    return found


def utc(value: datetime | None) -> datetime | None:
    """A naive time, UTC as the store keeps it, with its offset stated: RFC 3339 (the schema's
    date-time) wants one, and a client would read a bare time as its own clock's."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


Utc = Annotated[datetime, AfterValidator(utc)]


class UserOut(BaseModel):
    name: str
    role: Role


class ArticleOut(BaseModel):
    id: int
    url: str
    title: str
    outlet: str | None
    outlet_country: str | None
    author: str | None
    published: Utc | None = Field(
        description="On the outlet's clock, with its offset; UTC (Z) where it gave none."
    )
    published_offset: int | None = Field(
        description="Minutes east of UTC the outlet gave; null: it gave none (read as UTC)."
    )
    language: str | None
    score: float
    grade: str
    relevant: bool
    themes: list[str] = []


class ArticleDetail(ArticleOut):
    text: str
    relevance: dict[str, Any]


class StoryOut(BaseModel):
    id: int
    title: str
    score: float
    pinned: bool
    hidden: bool
    article_ids: list[int]
    outlets: list[str]
    matched: list[str]
    ranked: list[str]


class Decision(BaseModel):
    on: bool = True


class TakenOut(BaseModel):
    """Items a decision took out of one period's draft (that draft is what gets published)."""

    period_from: date
    period_to: date
    headlines: list[str]


class HideOut(BaseModel):
    id: int
    hidden: bool
    taken_out: list[TakenOut] = Field(
        description="Hiding takes the story's item out of every draft that has it."
    )
    message: str


class VersionOut(BaseModel):
    id: int
    profile: str
    period_from: date
    period_to: date
    version: int
    published_at: Utc
    published_by: str


class VersionDetail(VersionOut):
    content: dict[str, Any]


class PublishIn(BaseModel):
    # `last` as the week queries take it: a weekly script publishes the week just ended.
    week: str = Field(pattern=r"^(?:\d{4}-W\d{2}|last)$", examples=["2025-W51", "last"])
    replace_newer: bool = Field(
        False,
        description="Publish the draft even where a version published after the draft was "
        "last saved (`publish --rebuild`) says something else: the draft then undoes it.",
    )
    mail: bool = Field(
        False,
        description="Mail the version published to the server's [mail] list, as `publish "
        "--mail` does; where nothing changed since the latest version, mail that one, unless "
        "it went to the whole list already (409; see mail_again).",
    )
    mail_again: bool = Field(
        False,
        description="With mail: mail the latest version even where the whole list has it "
        "(`publish --mail-again`).",
    )


class MailOut(BaseModel):
    mailed: bool = Field(description="The server took the message for one recipient or more.")
    recipients: int = Field(0, description="How many recipients the server took it for.")
    refused: dict[str, str] = Field(
        default_factory=dict, description="Each address the server refused, with its reply."
    )
    error: str | None = Field(
        None, description="Why nothing was sent (the version stays published), in one line."
    )
    rest: bool = Field(
        False,
        description="Sent only to those of the list an earlier send of this version did not "
        "reach (the server refused them, or did not take them yet); the others have it.",
    )


class PublishOut(VersionOut):
    mail: MailOut | None = Field(
        None, description="How the mail sent as the body asked went; null: none asked."
    )


class Kind(StrEnum):
    """As `collect.poll.KINDS` (not imported here: it brings the fetcher along)."""

    feed = "feed"
    sitemap = "sitemap"
    urllist = "urllist"  # a text file of page URLs, one a line
    page = "page"


class SourceIn(BaseModel):
    url: str = Field(
        max_length=2000,
        # The schema's side of is_web_url, which the validator applies in full (a host).
        pattern=r"^\s*[hH][tT][tT][pP][sS]?://\S+\s*$",
        examples=["https://example.org/rss.xml"],
        description="An http(s) URL with a host.",
    )
    kind: Kind = Kind.feed

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str) -> str:
        if not is_web_url(url.strip()):
            raise ValueError("url must be an http(s) URL with a host")
        return url.strip()


class RenameIn(BaseModel):
    title: str = Field(
        max_length=500,
        examples=["Reuters, Central Asia"],
        description='The name the source is listed by; "" gives back its feed\'s own at its '
        "next collection. Control characters are taken out.",
    )


class SourceOut(BaseModel):
    id: int
    url: str
    kind: str
    title: str | None
    folder: str | None = Field(None, description="Its folder path, as `Russia/Business`.")
    last_ok_at: Utc | None
    last_error: str | None = Field(
        description="What failed in its last fetch. Where that fetch worked (`last_ok_at` is "
        "its time), what failed in it: some of its pages or sitemaps."
    )
    paused_at: Utc | None = Field(
        None, description="When it was paused (collection leaves it out); null: collected."
    )
