"""The customer-service assistant: retrieval over the shop's knowledge (``retrieval``); the
tools, dialogue loop, guardrails and handoff build on it. Sits above data, text and rec;
no lower layer imports it."""
