"""The digest editor's item actions: move, edit, regenerate and remove one item of the draft."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mediadigest.web import csrf, editions
from mediadigest.web.routes import Index, Revision
from mediadigest.web.routes.editor import Editor, Rebase, Text, Week, change_draft, editor_page
from mediadigest.web.templating import redirect

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)


def _item_anchor(content: dict[str, Any], index: int) -> str:
    """The anchor of the item at ``index``, kept within the items (none if there are none)."""
    count = len(content["items"])
    return f"#item-{min(max(index, 0), count - 1)}" if count else ""


@router.post("/editor/items/{index}/move")
def move(
    request: Request,
    index: Index,
    user: Editor,
    week: Week,
    revision: Revision,
    delta: Annotated[int, Form(ge=-50, le=50)],
    seen: Annotated[str, Form(max_length=200)] = "",
    swaps: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Move one item. From a page older than the draft, the move still goes onto the newer
    draft when the item is where the page showed it (edited or not: a move is about place),
    and is done already where it and the item it swaps with (``swaps``) have changed places
    (a second send). Where the item alone would put it was not enough: an item removed above
    it put it there too, and the move was said made when nothing moved."""
    since = editions.week_of(week)[0]

    def still_there(content: dict[str, Any]) -> bool:
        return bool(seen) and editions.locate(content, seen)[0] == index

    def moved(content: dict[str, Any]) -> bool:
        if not (seen and swaps and delta in (-1, 1)):
            return False
        at, other = editions.locate(content, seen)[0], editions.locate(content, swaps)[0]
        return at == index + delta and other == index

    def refused(who: str) -> Response:
        top = f"/editor?week={editions.week_name(since)}"
        message = (
            f"Item {index + 1} is no longer where your page showed it (the draft was last saved "
            f"by {who}), so your move was not made; here is the draft as it is now. Move the "
            "item from where it is now, if it still needs moving."
        )
        return redirect(request, top, message, "error")

    return change_draft(
        request,
        user,
        week,
        revision,
        "item.move",
        lambda _c, content: editions.move(content, index, delta),
        anchor=lambda content: _item_anchor(content, index + delta),
        rebase=Rebase(
            still_there,
            refused,
            note="The draft had changed since you loaded it; your move went onto the newer draft.",
            already=moved,
        ),
        item=index,
        delta=delta,
    )


@dataclass(slots=True)
class _ItemEditing:
    """One item's edit as the page sent it, following that item onto a newer draft."""

    at: int | None  # where the item is in the draft being changed
    seen: str  # the item as the page showed it (``editions.seen``); empty from an old page
    change: editions.ItemEdit

    def apply(self, conn: sa.Connection, content: dict[str, Any]) -> None:
        assert self.at is not None
        editions.edit(content, self.at, self.change, conn)  # conn: a quote's new words' place

    def onto(self, content: dict[str, Any]) -> bool:
        """Follow the item into the newer draft; only an item nobody changed takes the edit."""
        self.at, unchanged = editions.locate(content, self.seen) if self.seen else (None, False)
        return self.at is not None and unchanged

    def already(self, content: dict[str, Any]) -> bool:
        """Whether the item in the newer draft reads as this edit makes it (saved by the
        first send of the form, or from another tab), so there is nothing to save."""
        self.at = editions.locate(content, self.seen)[0] if self.seen else None
        if self.at is None:
            return False
        now = content["items"][self.at]
        mine = {"items": [copy.deepcopy(now)]}
        return editions.edit(mine, 0, self.change)["items"][0] == now


async def _sent(request: Request) -> set[str]:
    """The names of the fields the form sent: FastAPI reads an empty field as one not sent
    (its default), but a line the editor emptied must go, and one not sent must stay."""
    return set((await request.form()).keys())


@router.post("/editor/items/{index}/edit")
def edit(
    request: Request,
    index: Index,
    user: Editor,
    week: Week,
    revision: Revision,
    headline: Text,
    sent: Annotated[set[str], Depends(_sent)],
    attribution: Text = "",
    summary: Text = "",
    quote_text: Text = "",
    quote_speaker: Annotated[str, Form(max_length=200)] = "",
    also: Text = "",
    framing: Text = "",
    item_seen: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Save one item. From a page older than the draft, the edit still goes onto the newer
    draft when its item is unchanged there (editors work on different items at once); when
    the item itself changed, the editor gets the page back with the text they typed."""
    since, until = editions.week_of(week)
    change = editions.ItemEdit(
        headline,
        attribution,
        summary,
        quote_text,
        quote_speaker,
        also=also if "also" in sent else None,
        framing=framing if "framing" in sent else None,
    )
    editing = _ItemEditing(index, item_seen, change)
    return change_draft(
        request,
        user,
        week,
        revision,
        "item.edit",
        editing.apply,
        anchor=lambda _content: f"#item-{editing.at}",
        rebase=Rebase(
            editing.onto,
            lambda who: _refused_edit(request, since, until, change, editing.at, who),
            already=editing.already,
        ),
        item=lambda _content: editing.at,
        headline=headline,
    )


def _refused_edit(
    request: Request,
    since: date,
    until: date,
    change: editions.ItemEdit,
    at: int | None,
    who: str,
) -> HTMLResponse:
    """The editor page with the edit that could not be saved kept at the top, unsaved."""
    where = (
        f"item {at + 1} as it is now, to save yours over it"
        if at is not None
        else "nothing: that item has since been removed from the draft"
    )
    notice = (
        f"This item was changed after you loaded the page (the draft was last saved by {who}), "
        f"so your edit was not saved. Your text is kept below; compare it with {where}."
    )
    kept = {
        "index": at,
        "headline": change.headline,
        "attribution": change.attribution,
        "summary": change.summary,
        "quote_text": change.quote_text,
        "quote_speaker": change.quote_speaker,
        "also": change.also,
        "framing": change.framing,
    }
    return editor_page(request, since, until, status=409, notice=notice, kept=kept)


@router.post("/editor/items/{index}/regenerate")
def regenerate(
    request: Request, index: Index, user: Editor, week: Week, revision: Revision
) -> Response:
    profile = request.app.state.web.settings.profile
    return change_draft(
        request,
        user,
        week,
        revision,
        "item.regenerate",
        lambda conn, content: editions.regenerate(conn, profile, content, index),
        anchor=f"#item-{index}",
        item=index,
    )


@router.post("/editor/items/{index}/remove")
def remove(
    request: Request, index: Index, user: Editor, week: Week, revision: Revision
) -> Response:
    return change_draft(
        request,
        user,
        week,
        revision,
        "item.remove",
        lambda _c, content: editions.remove(content, index),
        anchor=lambda content: _item_anchor(content, index),  # the item after it, now there
        done="Removed the item.",
        item=index,
    )
