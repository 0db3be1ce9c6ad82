"""``migrator init --source SYSTEM BUNDLE [-o FILE]``: propose a starter spec from a bundle.

Opens and verifies the bundle, proposes the spec (:func:`migrator.init.propose.propose_spec`)
with the bundle path written relative to the spec's folder, and writes it (owner-only, never
over an existing file unless ``force``) or returns it for printing.
"""

from __future__ import annotations

import os
from pathlib import Path

from migrator.clock import Clock, SystemClock
from migrator.errors import UsageError
from migrator.init.propose import Proposal, propose_spec
from migrator.private_files import write_private_atomic
from migrator.sources.bundle import open_bundle


def init(
    system: str,
    bundle_path: Path,
    *,
    out: Path | None = None,
    force: bool = False,
    clock: Clock | None = None,
) -> Proposal:
    """Propose a spec for the ``system`` bundle at ``bundle_path``; write it to ``out`` if given.

    Raises :class:`~migrator.errors.SourceError` for a bad bundle and
    :class:`~migrator.errors.UsageError` when ``out`` exists and ``force`` is false.
    """
    if out is not None and out.exists() and not force:
        raise UsageError(
            f"{out} already exists",
            detail="migrator init never overwrites a spec someone may have edited.",
            hint="choose another file with -o, or pass --force to replace it",
        )
    bundle = open_bundle(system, bundle_path)
    bundle.verify()
    base = out.resolve().parent if out is not None else Path.cwd()
    reference = Path(os.path.relpath(bundle_path.resolve(), base)).as_posix()
    if not reference.startswith((".", "/")):
        reference = f"./{reference}"
    proposal = propose_spec(
        system, bundle, bundle_ref=reference, now=(clock or SystemClock()).now()
    )
    if out is not None:
        write_private_atomic(out, proposal.text.encode("utf-8"))
    return proposal
