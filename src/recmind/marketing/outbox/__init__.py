"""The outbox: every outgoing message is a durable row, keyed by its idempotency key, before
any delivery; workers claim due rows, ask the send-time rules, hand them to a channel and
record the outcome (see ``docs/outbox.md`` for the states and the exactly-once argument).

- :mod:`recmind.marketing.outbox.store`: writing rows (``enqueue``), claiming due ones, the
  state transitions and the retry back-off;
- :mod:`recmind.marketing.outbox.delivery`: ``deliver_due``, one worker pass;
- :mod:`recmind.marketing.outbox.recovery`: what a dead worker left behind;
- :mod:`recmind.marketing.outbox.queries`: listing, statistics, manual retries and on-site
  messages for a person.
"""
