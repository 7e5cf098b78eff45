"""Turning a file into chunks of rows to write: in this process, or in a helper process.

Reading, parsing, checking and hashing records is pure Python and costs about as much as
the SQLite work of writing them. For a large file a helper process does the reading while
this process writes, so the two overlap on a second core; it also stages each chunk in a
small SQLite database of its own (`store.stage_rows`), so the rows cross over as one
database image that the writer copies from in C, not as Python objects to rebuild. The
helper only reads the file; the database is written by the importing process alone, in the
same order either way, so the result is the same byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from triage.errors import TriageError
from triage.importers import doj, store
from triage.importers.csvmap import ColumnMap
from triage.importers.layout import Layout
from triage.importers.reader import decoding_errors, first_record, open_text, read_records

# Files at least this big are read by a helper process (starting one costs ~0.3 s), when
# there is a second CPU to run it on (the hand-over costs ~20% more CPU in all).
HELPER_MIN_BYTES = 16 << 20
HELPER_MIN_CPUS = 2


def use_helper(size: int) -> bool:
    """Whether a file of `size` bytes is worth a helper process on this machine."""
    return size >= HELPER_MIN_BYTES and len(os.sched_getaffinity(0)) >= HELPER_MIN_CPUS


HELD_CHECK_ROWS = 10_000  # chunk size for --strict's read-through

Row = tuple[object, ...]
Held = tuple[int, int, str, str]  # file_id, line, reason, raw
# (rows, quarantined lines, bytes of the file read so far)
RowChunk = tuple[list[Row], list[Held], int]
# The same from the helper process, where the rows come as a staging database image
# (`store.stage_rows`).
Chunk = tuple[list[Row] | bytes, list[Held], int]


def layout_for(path: Path, codec: str, cmap: ColumnMap | None) -> Layout:
    """How to read this file, judged from its first record (may raise `TriageError`)."""
    delimiter = cmap.delimiter if cmap is not None else ","
    first = first_record(path, delimiter=delimiter, encoding=codec)
    fields = None if first is None else first[2]
    return doj.layout(path, fields) if cmap is None else cmap.layout(path, fields)


@dataclass(frozen=True)
class Job:
    """One file to read into chunks (picklable, so a helper process can run it)."""

    path: Path
    codec: str
    column_map: ColumnMap | None
    file_id: int
    skip_to: int  # lines up to here were written by an interrupted import
    chunk_rows: int


def chunks(job: Job, layout: Layout | None = None) -> Iterator[RowChunk]:
    """The file's records as row tuples for `source_rows` and quarantine tuples, in chunks."""
    layout = layout or layout_for(job.path, job.codec, job.column_map)
    file_id, skip_to, limit = job.file_id, job.skip_to, job.chunk_rows
    shape, prefix = layout.shape, layout.hash_prefix
    blake = hashlib.blake2b
    rows: list[Row] = []
    held: list[Held] = []
    size = job.path.stat().st_size
    with job.path.open("rb") as binary, decoding_errors(job.path, job.codec):
        records = read_records(
            open_text(binary, job.codec), delimiter=layout.delimiter, encoding=job.codec
        )
        header = next(records, None) if layout.has_header else None
        defect = layout.header_defect
        if header is not None and defect is not None and header[0] > skip_to:
            held.append((file_id, header[0], defect, header[1]))
        for line, raw, fields, key in records:
            if line <= skip_to:
                continue
            if fields is None:
                held.append((file_id, line, key, raw))
            else:
                shaped = shape(fields)
                if shaped.__class__ is str:
                    held.append((file_id, line, shaped, raw))
                else:
                    # SUBJECT_ID first: the unique index then follows the file's order
                    # (DOJ files are grouped by person), so a chunk rewrites far fewer
                    # index pages than a bare hash would (half the bytes written in all).
                    digest = blake((prefix + key).encode(), digest_size=16).hexdigest()
                    rows.append((file_id, line, raw, f"{shaped[0]}:{digest}", *shaped))
            if len(rows) + len(held) >= limit:
                yield rows, held, binary.tell()
                rows, held = [], []
        # The text wrapper closes `binary` once the records run out: the end is the size.
        if rows or held:
            yield rows, held, size


def chunks_in_helper(job: Job) -> Iterator[Chunk]:
    """`chunks(job)`, read by a helper process while the caller writes.

    The helper is a plain `python -m triage.importers.reader_process` child (not
    multiprocessing, which would re-run the caller's main script): the job goes in on its
    stdin, pickled chunks come back on its stdout. A thread here takes them off the pipe as
    they come, so the helper can run up to `AHEAD` chunks ahead of the writer instead of
    waiting for it at every chunk; if the importer dies, the helper's next write fails and
    it exits.
    """
    # The helper must import this very triage, however the caller found it.
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    helper = subprocess.Popen(
        [sys.executable, "-m", "triage.importers.reader_process"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    assert helper.stdin is not None and helper.stdout is not None
    items: queue.Queue[object] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    drain = threading.Thread(target=_drain, args=(helper.stdout, items, stop), daemon=True)
    try:
        try:
            pickle.dump(job, helper.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            helper.stdin.close()
        except BrokenPipeError:
            pass  # it stopped at once: reported below, with its exit code
        drain.start()
        while True:
            item = items.get()
            if item is _STOPPED:
                raise TriageError(
                    f"{job.path}: the reader process stopped (exit code {helper.wait()}); "
                    "nothing after the last written chunk was imported; re-run to resume"
                )
            if item is None:
                return
            if isinstance(item, str):
                raise TriageError(item)
            yield cast(Chunk, item)
    finally:
        stop.set()
        if helper.poll() is None:
            helper.kill()
        helper.wait()
        if drain.is_alive():
            drain.join()
        helper.stdout.close()


AHEAD = 3  # chunks in flight between the helper and the writer (a few MB each)
_STOPPED = object()  # the helper's output ended without its final None


def _drain(stream: BinaryIO, items: queue.Queue[object], stop: threading.Event) -> None:
    """Move the helper's items from the pipe to `items` until the last one (or `stop`)."""

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    while True:
        try:
            item = pickle.load(stream)
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            put(_STOPPED)  # (the helper died, or the importer is closing the pipe)
            return
        if not put(item) or item is None or isinstance(item, str):
            return


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """The helper's side: read a `Job`, write its chunks, then None (or one error line)."""
    job = pickle.load(source)

    def send(item: object) -> None:
        pickle.dump(item, sink, protocol=pickle.HIGHEST_PROTOCOL)
        sink.flush()

    try:
        try:
            for rows, held, done in chunks(job):
                send((store.stage_rows(rows), held, done))
        except TriageError as exc:
            send(str(exc))
            return
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            send(f"{job.path}: cannot read ({exc.strerror})")
            return
        except Exception as exc:  # noqa: BLE001 - reported by type only: messages may hold data
            send(f"{job.path}: reading failed ({type(exc).__name__})")
            return
        send(None)
    except BrokenPipeError:  # the importer is gone
        os._exit(0)
