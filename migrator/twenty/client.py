"""The Twenty client: one object per destination, the only code that speaks HTTP to Twenty.

:class:`TwentyClient` receives an ``httpx.Client`` (built by ``transport.build_http_client`` or
by ``migrator.destination``; tests pass one over the in-process sandbox) and assembles the parts:
an :class:`~migrator.twenty.exchange.Exchange` (pacing, retries, typed errors, audit), a worker
pool for concurrent batches, and the three faces callers use — :attr:`TwentyClient.metadata`,
:attr:`TwentyClient.records` and the workspace calls on the client itself (members, file upload,
identity). Everything is thread-safe. :meth:`TwentyClient.close` stops the worker threads and,
when the client was told it owns the ``httpx.Client`` (``owns_http``), closes that too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import TracebackType

import httpx

from migrator.clock import Clock, SystemClock
from migrator.twenty.batches import BatchLimit, BatchWriter
from migrator.twenty.concurrency import WorkerPool
from migrator.twenty.exchange import AuditHook, Exchange
from migrator.twenty.identity import DestinationIdentity
from migrator.twenty.metadata import MetadataApi
from migrator.twenty.models import ClientStats, RestorePath, UploadedFile, WorkspaceMember
from migrator.twenty.pacing import DEFAULT_MARGIN_S, DEFAULT_MAX_GROUP_S, Pacer, PacingLimits
from migrator.twenty.records import RecordsApi
from migrator.twenty.retry import RetryPolicy
from migrator.twenty.workspace import list_members, upload_file

#: Requests in flight at most, by default. Measured with bench/client_throughput.py (600/min,
#: 1.5 s per request, sandbox in its own process): 16 -> 89% of the ceiling (Little's law: the
#: sandbox's queueing makes requests take ~1.85 s), 24 -> 93%, 32 -> 96%, 48 -> 98%. Below the
#: ceiling the pacer, not the thread count, decides how many requests are in flight.
DEFAULT_CONCURRENCY = 48


@dataclass(frozen=True)
class ClientSettings:
    """How a client paces, parallelises and retries (from the spec's ``destination``)."""

    limits: PacingLimits = field(default_factory=PacingLimits)
    """The destination's rate limit (Twenty's defaults: 100/s and 100/min)."""
    concurrency: int = DEFAULT_CONCURRENCY
    """Requests in flight at most (threads)."""
    batch_size: int = 200
    """Records per batch write (Twenty refuses more than 200)."""
    margin_s: float = DEFAULT_MARGIN_S
    """Pacing safety margin against arrival jitter (see ``pacing.py``)."""
    max_group_s: float = DEFAULT_MAX_GROUP_S
    """Largest group of calls released together, in seconds of refill (see ``pacing.py``)."""
    assume_full_bucket: bool = True
    """Start as if the workspace's buckets were full (a 429 corrects the model if not)."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    restore_path: RestorePath | None = None
    """Force a restore route; ``None`` detects it on first use."""


class TwentyClient:
    """Typed access to one Twenty workspace (or sandbox)."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        identity: DestinationIdentity | None = None,
        settings: ClientSettings | None = None,
        clock: Clock | None = None,
        audit: AuditHook | None = None,
        rng: random.Random | None = None,
        owns_http: bool = False,
    ) -> None:
        self.settings = settings or ClientSettings()
        self._http = http
        self._owns_http = owns_http
        clock = clock or SystemClock()
        pacer = Pacer(
            self.settings.limits,
            clock,
            concurrency=self.settings.concurrency,
            margin_s=self.settings.margin_s,
            max_group_s=self.settings.max_group_s,
            assume_full=self.settings.assume_full_bucket,
        )
        self._identity = identity
        self._exchange = Exchange(
            http, pacer=pacer, policy=self.settings.retry, clock=clock, audit=audit, rng=rng
        )
        self._pool = WorkerPool(self.settings.concurrency)
        self.metadata = MetadataApi(self._exchange)
        """Objects, fields, options and relations."""
        self.records = RecordsApi(
            self._exchange,
            self._pool,
            BatchWriter(self._exchange, BatchLimit(min(self.settings.batch_size, 200))),
            restore_path=self.settings.restore_path,
        )
        """Batches, lists, lookups, updates, deletes and restores."""

    @property
    def identity(self) -> DestinationIdentity | None:
        """The destination's base URL and workspace id, when the client was given them."""
        return self._identity

    @property
    def stats(self) -> ClientStats:
        """Request counters since the client was made."""
        return self._exchange.stats

    @property
    def pacer(self) -> Pacer:
        """The destination's bucket model (shared by every thread of this client)."""
        return self._exchange.pacer

    def members(self) -> tuple[WorkspaceMember, ...]:
        """Every workspace member (to map legacy owners by ``user_email``)."""
        return list_members(self._exchange)

    def upload_file(
        self,
        field_metadata_id: str,
        filename: str,
        content: bytes,
        content_type: str = "application/octet-stream",
    ) -> UploadedFile:
        """Upload a file for a FILES field (e.g. ``attachment.file``); never re-sent blindly."""
        return upload_file(self._exchange, field_metadata_id, filename, content, content_type)

    def close(self) -> None:
        """Stop the worker threads; close the ``httpx.Client`` too if it was handed over."""
        self._pool.close()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> TwentyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
