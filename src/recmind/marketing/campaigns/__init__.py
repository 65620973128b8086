"""Campaigns: a one-off or scheduled send to a segment or audience, with per-person
recommendations; a preview for any person and a test send to any address."""
