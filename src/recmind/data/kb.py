"""The shop's policy knowledge base: markdown files split into passages, in the store.

``import_kb(store, DIR)`` reads every ``*.md`` file under ``DIR`` (a document's id is its
path under ``DIR`` without ``.md``), splits each into passages by headings
(:mod:`recmind.data.kb_markdown`) and stores them in ``kb_documents`` / ``kb_passages``.
Every file is read and checked before anything is written, and the whole import is one
transaction: a bad file (not UTF-8, empty, holding NUL characters) stops the import with
every problem named, and the store keeps what it had. A changed file's passages are
replaced; an unchanged one is left alone; with ``prune`` the documents whose file is gone
are removed with their passages. :func:`kb_passages` is the read retrieval is to use.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select

from recmind.data.kb_markdown import MAX_PASSAGE_CHARS, Passage, split_markdown, title_of
from recmind.data.online_checks import text_problem
from recmind.data.schema import kb_documents
from recmind.data.schema import kb_passages as passages_table
from recmind.data.store import Store
from recmind.data.write_lock import write_lock

__all__ = [
    "DEMO_POLICIES",
    "Document",
    "KbImportSummary",
    "KnowledgeBaseError",
    "Passage",
    "import_kb",
    "kb_passages",
    "list_documents",
    "read_documents",
]

DEMO_POLICIES = Path(__file__).resolve().parent / "policies"
"""The demo shop's policy set (a fictional shop; shipped with the package)."""
MAX_DOC_ID = 255
MAX_FILE_BYTES = 2 * 1024 * 1024
"""A policy file larger than this is not a policy (2 MiB)."""


class KnowledgeBaseError(ValueError):
    """The folder or one of its files cannot be imported (every problem is listed)."""


@dataclass(frozen=True)
class Document:
    """One markdown file, read and split."""

    doc_id: str
    title: str
    source: str
    content_hash: str
    passages: tuple[Passage, ...]


@dataclass
class KbImportSummary:
    """What one import did, by document id."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    passages_written: int = 0


def _doc_id(path: Path, directory: Path) -> str:
    relative = path.relative_to(directory).with_suffix("")
    return "/".join(relative.parts)


def _read(path: Path, directory: Path, max_chars: int) -> tuple[Document | None, str | None]:
    doc_id = _doc_id(path, directory)
    if len(doc_id) > MAX_DOC_ID:
        return None, f"{path}: the path is longer than {MAX_DOC_ID} characters"
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        return None, f"{path}: unreadable ({exc.strerror or exc})"
    except UnicodeDecodeError as exc:
        return None, f"{path}: not UTF-8 text (byte {exc.start})"
    if text_problem(text):
        return None, f"{path}: holds NUL characters or invalid unicode"
    passages = split_markdown(text, doc_id, max_chars=max_chars)
    if not passages:
        return None, f"{path}: no text"
    digest = hashlib.sha256(f"{max_chars}\n{text}".encode()).hexdigest()
    return Document(doc_id, title_of(text, doc_id), str(path), digest, tuple(passages)), None


def read_documents(directory: Path, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Document]:
    """Every markdown file under ``directory``, split (sorted by document id).

    Raises:
        KnowledgeBaseError: the folder is missing or holds no markdown file, or some files
            cannot be read (all of them are named).
    """
    if not directory.is_dir():
        raise KnowledgeBaseError(f"{directory}: no such folder")
    paths = sorted(
        p
        for p in directory.rglob("*.md")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    if not paths:
        raise KnowledgeBaseError(f"{directory}: no markdown (.md) files")
    documents, problems = [], []
    for path in paths:
        document, problem = _read(path, directory, max_chars)
        if problem is not None:
            problems.append(problem)
        elif document is not None:
            documents.append(document)
    if problems:
        raise KnowledgeBaseError("; ".join(problems) + " (nothing was imported)")
    return sorted(documents, key=lambda d: d.doc_id)


def _passage_rows(document: Document) -> list[dict[str, Any]]:
    return [
        {
            "passage_id": p.passage_id,
            "doc_id": p.doc_id,
            "position": p.position,
            "title": p.title,
            "body": p.body,
        }
        for p in document.passages
    ]


def import_kb(
    store: Store,
    directory: Path,
    *,
    prune: bool = False,
    max_chars: int = MAX_PASSAGE_CHARS,
    now: float | None = None,
) -> KbImportSummary:
    """Import the markdown files under ``directory`` (see the module's docstring)."""
    documents = read_documents(directory, max_chars=max_chars)
    now = time.time() if now is None else now
    summary = KbImportSummary()
    with write_lock(store), store.engine.begin() as connection:
        stored = dict(
            connection.execute(select(kb_documents.c.doc_id, kb_documents.c.content_hash)).all()
        )
        for document in documents:
            known = stored.get(document.doc_id)
            if known == document.content_hash:
                summary.unchanged.append(document.doc_id)
                continue
            (summary.replaced if known is not None else summary.added).append(document.doc_id)
            _replace(connection, document, now)
            summary.passages_written += len(document.passages)
        if prune:
            gone = sorted(set(stored) - {d.doc_id for d in documents})
            for doc_id in gone:
                connection.execute(delete(passages_table).where(passages_table.c.doc_id == doc_id))
                connection.execute(delete(kb_documents).where(kb_documents.c.doc_id == doc_id))
            summary.pruned = gone
    return summary


def _replace(connection: Any, document: Document, now: float) -> None:
    connection.execute(delete(passages_table).where(passages_table.c.doc_id == document.doc_id))
    connection.execute(delete(kb_documents).where(kb_documents.c.doc_id == document.doc_id))
    connection.execute(
        insert(kb_documents).values(
            doc_id=document.doc_id,
            title=document.title,
            source=document.source,
            content_hash=document.content_hash,
            passages=len(document.passages),
            imported_at=now,
        )
    )
    connection.execute(insert(passages_table), _passage_rows(document))


def list_documents(store: Store) -> list[dict[str, Any]]:
    """Every stored document (id, title, source, passages, imported_at, characters)."""
    characters = (
        select(passages_table.c.doc_id, func.sum(func.length(passages_table.c.body)).label("chars"))
        .group_by(passages_table.c.doc_id)
        .subquery()
    )
    query = (
        select(kb_documents, characters.c.chars)
        .join(characters, characters.c.doc_id == kb_documents.c.doc_id, isouter=True)
        .order_by(kb_documents.c.doc_id)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        {
            "doc_id": row.doc_id,
            "title": row.title,
            "source": row.source,
            "passages": int(row.passages),
            "characters": int(row.chars or 0),
            "imported_at": float(row.imported_at),
        }
        for row in rows
    ]


def kb_passages(store: Store, doc_id: str | None = None) -> list[Passage]:
    """Every stored passage (of one document, with ``doc_id``), in document order."""
    query = select(passages_table).order_by(passages_table.c.doc_id, passages_table.c.position)
    if doc_id is not None:
        query = query.where(passages_table.c.doc_id == doc_id)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        Passage(
            passage_id=row.passage_id,
            doc_id=row.doc_id,
            position=int(row.position),
            title=row.title,
            body=row.body,
        )
        for row in rows
    ]
