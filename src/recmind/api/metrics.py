"""Prometheus metrics of one app (its own registry, so several apps can share a process)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
"""Seconds; fine below 25 ms, where the latency bars are."""

ModelState = Callable[[], tuple[str | None, str | None]]
"""``() -> (model name, version)`` of the model served now (None, None before one loads)."""


class _ModelCollector(Collector):
    """The served model, read at scrape time."""

    def __init__(self, state: ModelState) -> None:
        self._state = state

    def collect(self) -> Iterator[InfoMetricFamily | GaugeMetricFamily]:
        name, version = self._state()
        info = InfoMetricFamily("recmind_model", "The model version being served.")
        if version is not None:
            info.add_metric([], {"name": name or "", "version": version})
        yield info
        ready = GaugeMetricFamily("recmind_model_ready", "1 when a model is being served.")
        ready.add_metric([], 1.0 if version is not None else 0.0)
        yield ready


class ApiMetrics:
    """Latency per route template, request counts, ingestion counters, the served model."""

    def __init__(self, model_state: ModelState) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "recmind_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, per route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "recmind_http_requests",
            "Requests answered, per route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.events_ingested = Counter(
            "recmind_events_ingested",
            "Events stored by POST /v1/events (duplicates and rejected rows excluded).",
            registry=self.registry,
        )
        self.events_duplicate = Counter(
            "recmind_events_duplicate",
            "Events received again (same event_id or same user, item, type and time).",
            registry=self.registry,
        )
        self.rows_rejected = Counter(
            "recmind_rows_rejected",
            "Rows rejected by validation (also written to the quarantine), per entity and reason.",
            ["entity", "reason"],
            registry=self.registry,
        )
        self.quarantine_dropped = Counter(
            "recmind_quarantine_rows_dropped",
            "Oldest rows dropped from the online quarantine to keep it within "
            "RECMIND_API__QUARANTINE_MAX_BYTES.",
            registry=self.registry,
        )
        self.generation_refused = Counter(
            "recmind_generation_refused",
            "Portrait or sentence requests answered 503 because the generation queue was full.",
            registry=self.registry,
        )
        self.registry.register(_ModelCollector(model_state))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route).observe(seconds)
        self.requests.labels(method, route, str(status)).inc()

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
