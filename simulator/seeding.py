"""Named, independent random streams derived from one seed.

Each part of the world (units, residents, each region's bookings) draws from its
own stream keyed by name, so adding a feed or a region later does not shift the
random numbers of the others, and the same (scale, seed) always gives the same world.
"""

from __future__ import annotations

import zlib

import numpy as np


def rng_for(seed: int, *keys: str) -> np.random.Generator:
    """A generator for the stream named by `keys` under `seed`."""
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    # crc32 rather than hash(): Python's str hash is salted per process.
    entropy = [int(seed)] + [zlib.crc32(key.encode("utf-8")) for key in keys]
    return np.random.default_rng(np.random.SeedSequence(entropy))
