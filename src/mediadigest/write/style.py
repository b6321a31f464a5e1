"""House style of the digest: dates like "Dec. 18", outlets like "Japan's Jiji Press"."""

from __future__ import annotations

from datetime import date

# AP style month abbreviations, as the example digest uses them.
_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec."]  # fmt: skip

COUNTRY_NAMES = {
    "AE": "the UAE", "AZ": "Azerbaijan", "CN": "China", "DE": "Germany", "FR": "France",
    "GB": "Britain", "IN": "India", "IR": "Iran", "IT": "Italy", "JP": "Japan", "KG": "Kyrgyzstan",
    "KR": "South Korea", "KZ": "Kazakhstan", "PK": "Pakistan", "QA": "Qatar", "RU": "Russia",
    "SA": "Saudi Arabia", "TJ": "Tajikistan", "TM": "Turkmenistan", "TR": "Türkiye",
    "UA": "Ukraine", "US": "the United States", "UZ": "Uzbekistan", "ES": "Spain",
}  # fmt: skip


def day(value: date) -> str:
    """``Dec. 18``: the house style for a date within the digest's week."""
    return f"{_MONTHS[value.month - 1]} {value.day}"


def period(since: date, until: date) -> str:
    """``Dec. 15–21, 2025``, ``Nov. 28 – Dec. 4, 2025`` or across years in full."""
    if since.year != until.year:
        return f"{day(since)}, {since.year} – {day(until)}, {until.year}"
    if since.month == until.month:
        return f"{day(since)}–{until.day}, {until.year}"
    return f"{day(since)} – {day(until)}, {until.year}"


def outlet_name(outlet: str | None, country: str | None, home: str | None) -> str:
    """Prefix a foreign outlet with its country, as editors do ("China's Global Times")."""
    if not outlet:
        return "An unnamed outlet"
    name = COUNTRY_NAMES.get(country or "")
    if name is None or country == home or name.startswith("the ") or outlet.startswith(name):
        return outlet
    return f"{name}’s {outlet}"
