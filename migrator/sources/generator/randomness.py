"""Deterministic randomness for the generator: ids, times, choices and the dirty-data plan.

Everything derives from one :class:`random.Random` seeded by the caller, whose sequence is stable
across Python versions for the methods used here (``random``, ``getrandbits``, ``randrange``,
``choice``, ``randbytes``). No wall clock is read: times count back from a fixed export instant.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

#: The fixed export instant of every generated bundle.
EXPORTED_AT = dt.datetime(2026, 1, 15, 8, 0, 0, tzinfo=dt.UTC)
EPOCH_START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
_SPAN_SECONDS = int((EXPORTED_AT - EPOCH_START).total_seconds())


class Rng:
    """A seeded source of synthetic values."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self._r = self.random.random
        self._bits = self.random.getrandbits

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self._r() < p

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``."""
        return int(self._r() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        return low + int(self._r() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        return items[int(self._r() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        """One item by cumulative weights (last weight 1.0)."""
        x = self._r()
        for item, edge in zip(items, cumulative, strict=True):
            if x < edge:
                return item
        return items[-1]

    def uuid(self) -> str:
        """A version-4 layout UUID, lower case."""
        h = f"{(self._bits(128) & ~(0xF << 76) | (0x4 << 76)) & ~(0x3 << 62) | (0x2 << 62):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def moment(self, *, after: dt.datetime | None = None, days: int | None = None) -> dt.datetime:
        """A UTC instant between ``after`` (default 2019-01-01) and the export, or within
        ``days`` after ``after``; always whole milliseconds."""
        start = after or EPOCH_START
        span = int((EXPORTED_AT - start).total_seconds()) if days is None else days * 86_400
        offset = int(self._r() * max(span, 1))
        return start + dt.timedelta(0, offset, int(self._r() * 1000) * 1000)

    def digits(self, n: int) -> str:
        """``n`` random decimal digits."""
        return f"{self.below(10**n):0{n}d}"

    def bytes(self, n: int) -> bytes:
        """``n`` random bytes."""
        return self.random.randbytes(n)


def cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    """Cumulative, normalised weights for :meth:`Rng.weighted`."""
    total = sum(weights)
    running, out = 0.0, []
    for w in weights:
        running += w / total
        out.append(running)
    out[-1] = 1.0
    return tuple(out)


def iso_z(moment: dt.datetime) -> str:
    """``2025-06-26T05:09:58.660Z``: the API docs' millisecond shape."""
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def iso_offset(moment: dt.datetime) -> str:
    """``2025-06-26T05:09:58.660403+00:00``: the stage-log microsecond shape."""
    return moment.isoformat(timespec="microseconds")


class Dirt:
    """Decides which records carry which defect, at a controlled rate.

    Each kind fires for the third candidate it is asked about (so small bundles show every
    kind), then with probability ``rate``; ``rate = 0`` turns all dirt off. ``counts`` records
    how many of each kind were injected.
    """

    def __init__(self, rng: Rng, rate: float) -> None:
        self.rng = rng
        self.rate = rate
        self._r = rng.random.random
        self.asked: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def __call__(self, kind: str) -> bool:
        """Whether the current candidate record gets defect ``kind``."""
        if self.rate <= 0:
            return False
        asked = self.asked[kind] = self.asked.get(kind, 0) + 1
        if (asked == 3 and kind not in self.counts) or self._r() < self.rate:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            return True
        return False

    def once(self, kind: str) -> bool:
        """Whether a one-off defect (the practice cycle) is present: always, unless dirt is off."""
        if self.rate <= 0:
            return False
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return True
