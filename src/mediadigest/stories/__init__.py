"""Stories: copies collapsed, reports of one event grouped, ranked and selected for the digest."""

from mediadigest.stories.grouping import UpdateReport, for_period, story_to_dict, update

__all__ = ["UpdateReport", "for_period", "story_to_dict", "update"]
