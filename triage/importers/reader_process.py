"""Entry point of the import's helper process (see `producer.chunks_in_helper`)."""

from __future__ import annotations

import sys

from triage.importers.producer import serve

if __name__ == "__main__":
    sink = sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries the chunks: nothing else may write to it
    serve(sys.stdin.buffer, sink)
