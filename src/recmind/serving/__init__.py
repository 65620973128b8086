"""Online serving: the published model, live histories, fresh items, hot swap."""
