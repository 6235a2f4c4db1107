"""Writing files so that a killed run never leaves half of one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def replacing(path: Path, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file next to `path` for writing (`mode` "w" text, UTF-8, or "wb") and
    rename it over `path` when the block ends without error: readers see the old file or the new
    one, never a part. On error the temporary file is removed and `path` is untouched."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open(mode, encoding=None if "b" in mode else "utf-8") as fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
