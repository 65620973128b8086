"""What a marketing message says: templates, rendering from the store's facts, and the
composer that turns a request into an outbox row."""
