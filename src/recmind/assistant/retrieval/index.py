"""The retrieval index: documents, their BM25 words and their vectors, persisted in versions.

Layout under ``<home>/assistant/retrieval``::

    v0003-20261207T104500Z/documents.jsonl   one document a line, without its text (row order)
    v0003-20261207T104500Z/vectors.npy       float32 unit vectors, one row a document
    v0003-20261207T104500Z/lexical/          the bm25s index (sparse matrix, vocabulary)
    v0003-20261207T104500Z/meta.json         encoder, counts, when built
    LATEST                                   the version searches load

A version is built in a hidden folder and renamed into place whole, then ``LATEST`` is
replaced in one rename, so a search never loads half an index. The newest
:data:`KEEP_VERSIONS` versions are kept.

A rebuild is incremental: documents whose title and text are unchanged (and the encoder too)
take their vectors from the previous version; the rest go through the encoder (and its
embedding cache, ``<home>/cache/embeddings``). When nothing changed, no version is written.
``full=True`` ignores the previous version and the embedding cache and encodes everything.
The lexical index is always rebuilt whole (a second for tens of thousands of documents).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from recmind.assistant.retrieval.documents import Document, all_documents
from recmind.assistant.retrieval.lexical import LexicalIndex, document_words
from recmind.assistant.retrieval.semantic import SemanticIndex, encode_passages, passage_text
from recmind.config import RetrievalSettings, Settings, get_settings
from recmind.data.store import Store
from recmind.text.embed import resolve_encoder
from recmind.text.encoders import Progress

DOCUMENTS_FILE = "documents.jsonl"
VECTORS_FILE = "vectors.npy"
LEXICAL_DIR = "lexical"
META_FILE = "meta.json"
LATEST_FILE = "LATEST"
KEEP_VERSIONS = 3
FORMAT = 1
_VERSION = re.compile(r"^v(\d{4,})-\d{8}T\d{6}Z$")


class IndexMissingError(FileNotFoundError):
    """No retrieval index has been built under this home (``recmind kb index``)."""


def index_root(settings: Settings | None = None) -> Path:
    """``<home>/assistant/retrieval``."""
    return (settings or get_settings()).home / "assistant" / "retrieval"


def encoder_key(name: str) -> str:
    """``name@revision`` of an encoder: vectors are reused only under the same key."""
    encoder = resolve_encoder(name, cache=False)
    revision = str(getattr(encoder, "revision", ""))
    return f"{encoder.name}@{revision}" if revision else encoder.name


@dataclass
class RetrievalIndex:
    """The documents of one version and the two indexes over them, row-aligned."""

    documents: list[Document]
    lexical: LexicalIndex
    semantic: SemanticIndex
    encoder: str
    """The encoder's configuration name (queries are encoded with it)."""
    encoder_key: str
    version: str = ""
    path: Path | None = None
    hashes: list[str] = field(default_factory=list)
    """Per row, the hash of title and text (a loaded index keeps no text)."""
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = {d.id: row for row, d in enumerate(self.documents)}
        if not self.hashes:
            self.hashes = [d.text_hash for d in self.documents]

    def counts(self) -> dict[str, int]:
        """Documents per kind."""
        out = {"product": 0, "review": 0, "policy": 0}
        for document in self.documents:
            out[document.kind] += 1
        return out


@dataclass
class IndexReport:
    """What one ``recmind kb index`` did."""

    version: str
    written: bool
    counts: dict[str, int]
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    encoded: int = 0
    full: bool = False


def build_index(
    documents: list[Document],
    *,
    encoder: str,
    previous: RetrievalIndex | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> tuple[RetrievalIndex, IndexReport]:
    """An in-memory index of ``documents``; vectors of unchanged documents come from
    ``previous`` (unless ``full``); ``progress`` is told ``(encoded, to encode)``."""
    key = encoder_key(encoder)
    reuse: dict[str, tuple[str, np.ndarray]] = {}
    if previous is not None and not full and previous.encoder_key == key:
        for row, old in enumerate(previous.documents):
            reuse[old.id] = (previous.hashes[row], previous.semantic.vectors[row])
    old_ids = set(previous.rows) if previous is not None else set()
    report = IndexReport(version="", written=False, counts={}, full=full)
    vectors: list[np.ndarray | None] = []
    missing: list[int] = []
    for row, document in enumerate(documents):
        known = reuse.get(document.id)
        if known is not None and known[0] == document.text_hash:
            vectors.append(known[1])
            report.unchanged += 1
            continue
        vectors.append(None)
        missing.append(row)
        if document.id in old_ids:
            report.changed += 1
        else:
            report.added += 1
    report.removed = len(old_ids - {d.id for d in documents})
    if missing:
        texts = [passage_text(documents[r].title, documents[r].text) for r in missing]
        fresh = encode_passages(texts, encoder, cache=not full, progress=progress)
        for row, vector in zip(missing, fresh, strict=True):
            vectors[row] = vector
    report.encoded = len(missing)
    dim = resolve_encoder(encoder, cache=False).dim
    matrix = (
        np.vstack([v for v in vectors if v is not None]).astype(np.float32)
        if documents
        else np.zeros((0, dim), dtype=np.float32)
    )
    lexical = LexicalIndex.build([document_words(d.title, d.text) for d in documents])
    index = RetrievalIndex(documents, lexical, SemanticIndex(matrix), encoder, key)
    report.counts = index.counts()
    return index, report


def save_index(index: RetrievalIndex, root: Path) -> str:
    """Write ``index`` as a new version under ``root`` and make it the latest."""
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    created = datetime.now(UTC).replace(microsecond=0)
    try:
        with (staging / DOCUMENTS_FILE).open("w", encoding="utf-8") as handle:
            for document in index.documents:
                handle.write(json.dumps(document.entry(), ensure_ascii=False) + "\n")
        index.semantic.save(staging / VECTORS_FILE)
        (staging / LEXICAL_DIR).mkdir()
        index.lexical.save(staging / LEXICAL_DIR)
        meta = {
            "format": FORMAT,
            "encoder": index.encoder,
            "encoder_key": index.encoder_key,
            "created_at": created.isoformat(),
            "documents": len(index.documents),
            "counts": index.counts(),
        }
        (staging / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        version = _publish(staging, root, created)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    latest = root / f".{LATEST_FILE}.{os.getpid()}.tmp"
    latest.write_text(version + "\n", encoding="utf-8")
    os.replace(latest, root / LATEST_FILE)
    index.version, index.path = version, root / version
    _prune(root, keep=KEEP_VERSIONS)
    return version


def _versions(root: Path) -> list[tuple[int, str]]:
    if not root.is_dir():
        return []
    found = [(_VERSION.match(p.name), p.name) for p in root.iterdir() if p.is_dir()]
    return sorted((int(m.group(1)), name) for m, name in found if m)


def _publish(staging: Path, root: Path, created: datetime) -> str:
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    counter = max((n for n, _ in _versions(root)), default=0)
    for _ in range(100):
        counter += 1
        version = f"v{counter:04d}-{stamp}"
        try:
            os.rename(staging, root / version)
        except OSError:
            if not (root / version).exists():
                raise
            continue
        return version
    raise RuntimeError(f"could not find a free version name under {root}")


def _prune(root: Path, *, keep: int) -> None:
    latest = latest_version(root)
    for _, name in _versions(root)[:-keep]:
        if name != latest:
            shutil.rmtree(root / name, ignore_errors=True)


def latest_version(root: Path) -> str | None:
    """The version ``LATEST`` names, or None."""
    try:
        name = (root / LATEST_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if _VERSION.match(name) and (root / name).is_dir() else None


def load_index(root: Path | None = None, version: str | None = None) -> RetrievalIndex:
    """The latest (or the named) version under ``root`` (default: the settings' home).

    Raises:
        IndexMissingError: No index has been built there.
    """
    root = index_root() if root is None else root
    version = version or latest_version(root)
    if version is None or not (root / version).is_dir():
        raise IndexMissingError(f"no retrieval index under {root}: run `recmind kb index`")
    folder = root / version
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    with (folder / DOCUMENTS_FILE).open(encoding="utf-8") as handle:
        entries = [Document.from_entry(json.loads(line)) for line in handle if line.strip()]
    documents = [document for document, _ in entries]
    semantic = SemanticIndex.load(folder / VECTORS_FILE)
    lexical = LexicalIndex.load(folder / LEXICAL_DIR, len(documents))
    if len(semantic.vectors) != len(documents):
        raise ValueError(f"{folder}: {len(semantic.vectors)} vectors for {len(documents)} rows")
    return RetrievalIndex(
        documents,
        lexical,
        semantic,
        str(meta["encoder"]),
        str(meta["encoder_key"]),
        version=version,
        path=folder,
        hashes=[digest for _, digest in entries],
    )


def _kept(document: Document) -> Document:
    return replace(document, text="")


def reindex(
    store: Store,
    *,
    settings: Settings | None = None,
    full: bool = False,
    root: Path | None = None,
    progress: Progress | None = None,
) -> IndexReport:
    """Build the index from the store (incrementally unless ``full``) and persist it when
    anything changed; returns what was done."""
    settings = settings or get_settings()
    config: RetrievalSettings = settings.assistant.retrieval
    root = index_root(settings) if root is None else root
    try:
        previous: RetrievalIndex | None = load_index(root)
    except IndexMissingError:
        previous = None
    documents = all_documents(
        store, per_item=config.max_reviews_per_item, review_chars=config.review_chars
    )
    index, report = build_index(
        documents, encoder=config.encoder, previous=previous, full=full, progress=progress
    )
    nothing_new = (
        previous is not None
        and not full
        and report.added == report.changed == report.removed == 0
        and previous.hashes == index.hashes
        and [_kept(d) for d in previous.documents] == [_kept(d) for d in documents]
    )
    if nothing_new and previous is not None:
        report.version = previous.version
        return report
    report.version = save_index(index, root)
    report.written = True
    return report
