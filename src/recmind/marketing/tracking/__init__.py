"""Tracking and attribution: signed links (clicks, opens, one-click unsubscribe), the events
they record, conversions attributed to messages, and per-journey and per-campaign reports
compared with the global holdout."""
