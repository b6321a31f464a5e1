"""Stories: copies collapsed, reports of one event grouped, ranked and selected for the digest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediadigest.stories.grouping import (
        UpdateReport,
        for_period,
        ranked_for_period,
        story_to_dict,
        update,
        update_period,
    )

__all__ = [
    "UpdateReport",
    "for_period",
    "ranked_for_period",
    "story_to_dict",
    "update",
    "update_period",
]


def __getattr__(name: str) -> Any:
    # Grouping imports scikit-learn (about a second); the store's story tables and the
    # editors' decisions (``stories.persist``) do not need it.
    if name in __all__:
        from mediadigest.stories import grouping

        return getattr(grouping, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
