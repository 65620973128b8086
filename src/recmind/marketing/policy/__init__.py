"""The rules a message must pass at send time: consent, suppression, frequency caps, quiet
hours and the global holdout, combined by :func:`recmind.marketing.policy.decide.decide`.

They are checked when a message is delivered, not when it is composed: a person who
unsubscribes between a journey's step and its delivery gets nothing.
"""
