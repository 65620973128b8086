"""User profiles: activity, interest tags and a grounded portrait (``build_profile``)."""

from __future__ import annotations

from recmind.profiles.build import ProfileIndex, RecentItem, UserProfile, build_profile
from recmind.profiles.portrait import template_portrait, write_portrait
from recmind.profiles.tags import InterestTag, interest_tags, item_tags

__all__ = [
    "InterestTag",
    "ProfileIndex",
    "RecentItem",
    "UserProfile",
    "build_profile",
    "interest_tags",
    "item_tags",
    "template_portrait",
    "write_portrait",
]
