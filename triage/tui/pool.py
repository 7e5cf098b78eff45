"""Read connections for worker threads.

The app's own connection serves the UI thread (case loads and every write). Workers
(queue pages, counts, progress, stats) borrow a connection from this pool, so a slow
count never blocks a page, and no connection is used by two threads at once.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from triage import db


class ReaderPool:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._all: list[sqlite3.Connection] = []
        self._closed = False

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = db.connect(self._path)
            self._all.append(conn)
        try:
            yield conn
        finally:
            if self._closed:
                conn.close()
            else:
                self._idle.put(conn)

    def close(self) -> None:
        self._closed = True
        for conn in self._all:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
