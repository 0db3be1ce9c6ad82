"""The Twenty client: the only code that speaks HTTP to Twenty (or to the sandbox).

Callers use :class:`~migrator.twenty.client.TwentyClient` (``client.py``) and the frozen results
in ``models.py``; everything else here is the machinery behind them: ``exchange.py`` sends one
request (paced by ``pacing.py``, retried by ``retry.py``, refusals mapped by ``errors.py`` and
scrubbed by ``scrub.py``), ``batches.py`` makes batch writes safe to re-send, ``pagination.py``
walks cursors, ``identity.py`` reads the workspace id from the API key, ``transport.py`` builds
the ``httpx.Client``.
"""

from __future__ import annotations

from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.identity import DestinationIdentity
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.retry import RetryPolicy

__all__ = ["ClientSettings", "DestinationIdentity", "PacingLimits", "RetryPolicy", "TwentyClient"]
