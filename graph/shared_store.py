"""A live store on disk that a program shares with other writers: read-write only while it writes.

A store held open read-write keeps every other writer out for as long as it is open: a notebook
left open would refuse ``aikg load``, ``aikg compact``, ``aikg ingest`` and the server's writes.
A :class:`SharedStore` holds a read-only handle instead, and opens the store read-write only for
the span of a write (or of a :meth:`~SharedStore.writing` block), under the store's write lock,
as the server's writer does; opening and closing costs some 30 ms at a million quads.

Between writes it follows the store: before each read it checks the store's link (one system
call) and its count of in-place writes (:mod:`graph.write_count`, one small file read), and opens
the store again when either moved, so the program reads what a load swapped in or what
``aikg ingest`` or the server wrote, and a write always goes to the live generation.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from graph import write_count, write_lock
from graph.store import Store, StoreError, _open_read_only, open_read_write, read_again_if_vanished

T = TypeVar("T")


class SharedStore(Store):
    """A live store on disk opened read-write only while writing; see the module docstring.

    Reads see the store as it is at each read: two reads may see a write (or a load) that came
    in between. Reads inside a :meth:`writing` block see no other writer's change. ``read_only``:
    the program only reads (its writes are refused); its reads follow the store all the same.
    """

    def __init__(self, location: Path, *, read_only: bool = False) -> None:
        self._guard = threading.Lock()
        self._writer: ox.Store | None = None
        self._writers = 0
        """How many :meth:`writing` blocks are open (from any thread): the last one out closes the writer."""
        self._counted = write_count.count_path(location)
        self._seen: tuple[str, int] | None = None
        """The store's link and count of writes when the reader was opened (None: open it again)."""
        self._reader: ox.Store | None = None
        self._closed = False
        super().__init__(None, location, read_only, generation=os.path.realpath(location))  # type: ignore[arg-type]
        self.read(self._open_reader)  # a compaction elsewhere may remove a file as it opens

    @property  # type: ignore[override]
    def _engine(self) -> ox.Store:
        """The engine for the next call: the writer inside a write, else the reader, opened again if the store moved."""
        writer = self._writer
        if writer is not None:
            return writer
        if self._closed:
            raise StoreError(f"{self.location}: closed")
        if self._reader is None or self._now() != self._seen:
            self._open_reader()
        return self._reader  # type: ignore[return-value]

    @_engine.setter
    def _engine(self, engine: ox.Store | None) -> None:
        self._reader = engine

    @contextmanager
    def writing(self, what: str = "a Python program writing through graph.SharedStore") -> Iterator[None]:
        """Hold the write lock and the store read-write for the block (several writes, and the reads they rest on).

        Raises :class:`graph.write_lock.StoreBusy` after a few seconds if another writer holds
        the lock, and StoreError if another process holds the store read-write.
        """
        if self.read_only:  # its writes are refused before they get here: nothing to hold
            yield
            return
        if self._closed:
            raise StoreError(f"{self.location}: closed")
        with write_lock.holding(self.location, what, write_lock.WRITE_WAIT):
            with self._guard:
                if self._writers == 0:
                    self._writer = self._open_writer()
                self._writers += 1
            try:
                yield
            finally:
                with self._guard:
                    self._writers -= 1
                    if self._writers == 0:
                        writer, self._writer, self._seen = self._writer, None, None
                        if writer is not None:
                            writer.flush()
                        del writer  # closes it, unless a read of another thread still holds it

    def flush(self) -> None:
        """Writes are made durable when each write (or :meth:`writing` block) ends; nothing is left to flush."""
        writer = self._writer
        if writer is not None:
            writer.flush()

    def close(self) -> None:
        """Release the store; further calls fail."""
        self._reader, self._seen, self._closed = None, None, True

    def read(self, reading: Callable[[], T]) -> T:
        """Run ``reading()``, again on a fresh handle (for up to :data:`graph.store.READ_RETRY_SECONDS`) if a file vanished under it.

        Outside a write, the handle is read-only, and a process holding the store read-write
        meanwhile (``aikg ingest`` as it closes, a program that opened it with ``open_store``) may
        compact away a file the handle had not opened yet.
        """
        if self._writer is not None:  # a read-write handle: nothing is compacted away under it
            return reading()
        return read_again_if_vanished(reading, self._forget_reader)

    def _forget_reader(self) -> None:
        with self._guard:
            self._seen = None  # the next read opens the store again

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
        return self.read(lambda: super(SharedStore, self).select(sparql, **dataset))

    def construct_ntriples(self, sparql: str, **dataset: Any) -> bytes:
        return self.read(lambda: super(SharedStore, self).construct_ntriples(sparql, **dataset))

    def ask(self, sparql: str, **dataset: Any) -> bool:
        return self.read(lambda: super(SharedStore, self).ask(sparql, **dataset))

    def graphs(self) -> list[str]:
        return self.read(super().graphs)

    def __len__(self) -> int:
        return self.read(super().__len__)

    def holds_default_graph(self) -> bool:
        return self.read(super().holds_default_graph)

    def _now(self) -> tuple[str, int]:
        """The store's link and count of writes, the count read first (a write after it only opens the store once more)."""
        count = write_count.read(self._counted)
        try:
            link = os.readlink(self.location)
        except OSError:  # a plain directory (an earlier layout)
            link = str(self.location)
        return link, count

    def _open_reader(self) -> None:
        with self._guard:
            seen = self._now()
            real = os.path.realpath(self.location)
            self._reader, self._seen, self._generation = _open_read_only(real, Path(self.location)), seen, real

    def _open_writer(self) -> ox.Store:
        real = os.path.realpath(self.location)
        writer = open_read_write(real, self.location, "nothing was written: write through it, or close it there and write again")
        self._generation = real
        return writer
