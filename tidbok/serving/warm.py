"""Warming a new published version before it takes over (ServingFiles' warmer).

The public tables of a metric are built and protected once per version, which takes a
second or more of CPU at small scale. A server that switched versions cold would make
the requests of those seconds wait, and one that built them in a thread would slow them
all down (the work is Python, holding the GIL). So the API lets the old version answer
while a helper process, at low priority, builds for the new version what readers of the
old one used; the results come back pickled and are put in the new version's memo.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tidbok.serving.catalogue_status import published_tables
from tidbok.serving.connection import FileVersion, ServingFiles, Snapshot
from tidbok.serving.errors import ServingError
from tidbok.serving.metric_values import public_tables
from tidbok.serving.publication import publish_info
from tidbok.serving.regions import regions
from tidbok.serving.tables import MetricTables

log = logging.getLogger(__name__)
HELPER_NICENESS = 10  # the helper yields the CPU to the server answering requests

_lock = threading.Lock()
_helper: ProcessPoolExecutor | None = None


def warm_like(old: Snapshot, new: Snapshot) -> None:
    """Compute for `new` the version, regions, table list and each metric `old` served."""
    publish_info(new)
    regions(new)
    published_tables(new)
    metric_ids = sorted(old.used_metrics)
    if not metric_ids:
        return
    try:
        version, packed = _helper_pool().submit(build_tables, str(new.path), metric_ids).result()
    except Exception:  # a broken helper must not stop the switch: build here instead
        log.exception("the warming helper failed; building the tables in the server")
        version, packed = new.version, None
    if version != new.version:
        return  # the helper saw a later publish; these tables are not this version's
    if packed is None:
        built = [public_tables(new, m) for m in metric_ids]
    else:
        built = [_unpack(p) for p in packed]
    for entry in built:
        if entry is not None:
            key, tables = entry
            new.memo(key, lambda tables=tables: tables)
            new.used_metrics.add(tables.spec.id)


def build_tables(path: str, metric_ids: list[str]) -> tuple[FileVersion, list]:
    """In the helper: each metric's public tables for the file now at `path`, packed."""
    files = ServingFiles()
    try:
        with files.snapshot(Path(path)) as snap:
            packed = []
            for metric_id in metric_ids:
                try:
                    built = public_tables(snap, metric_id)
                except ServingError as exc:  # its requests will report it
                    log.info("not warming %s: %s", metric_id, exc)
                    continue
                if built is not None:
                    packed.append(_pack(*built))
            return snap.version, packed
    finally:
        files.close_all()


# Tables travel as many small pickles, table by table in the order they are served: one
# large pickle would be unpickled in one go, holding the GIL (and so every request of the
# server) for as long as that takes; small ones let requests in between.
_CHUNK_CELLS = 500
_PAUSE_SECONDS = 0.0005


def _pack(key: tuple, tables: MetricTables) -> tuple[bytes, list[bytes]]:
    head = pickle.dumps(
        (key, tables.spec, tables.national_only, tables.dimension_order, tables.by_sets)
    )
    chunks = []
    for by, grain in sorted({(k[0], k[1]) for k in tables.counts}):
        cells = tables.cells(by, grain)  # every region, in serving order
        for i in range(0, len(cells), _CHUNK_CELLS):
            part = cells[i : i + _CHUNK_CELLS]
            chunks.append(
                pickle.dumps(
                    (by, grain, [(k, tables.counts[k], tables.hidden.get(k)) for k in part])
                )
            )
    return head, chunks


def _unpack(packed: tuple[bytes, list[bytes]]) -> tuple[tuple, MetricTables]:
    head, chunks = packed
    key, spec, national_only, dimension_order, by_sets = pickle.loads(head)
    counts, hidden, index = {}, {}, defaultdict(list)
    for chunk in chunks:
        by, grain, cells = pickle.loads(chunk)
        for cell, figures, withheld in cells:
            counts[cell] = figures
            if withheld is not None:
                hidden[cell] = withheld
            index[(by, grain, None)].append(cell)
            index[(by, grain, cell[3])].append(cell)
        time.sleep(_PAUSE_SECONDS)  # let requests in between chunks
    tables = MetricTables(spec, counts, hidden, national_only, dict(dimension_order), by_sets)
    tables._tables = dict(index)  # already in serving order: no sorting here
    return key, tables


def _helper_pool() -> ProcessPoolExecutor:
    global _helper
    with _lock:
        if _helper is None:
            # spawn, not fork: the server's threads (DuckDB's among them) must not be copied
            _helper = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=os.nice,
                initargs=(HELPER_NICENESS,),
            )
            atexit.register(_helper.shutdown, cancel_futures=True)
        return _helper


def start_helper() -> None:
    """Start the helper now, so that a publish does not wait for it to import everything."""
    _helper_pool().submit(_ready)


def _ready() -> bool:
    import tidbok.serving.metric_values  # noqa: F401 - the imports are the point

    return True


def stop_helper() -> None:
    global _helper
    with _lock:
        if _helper is not None:
            _helper.shutdown(cancel_futures=True)
            _helper = None
