"""``migrator verify SPEC [--sample N]``: prove that Twenty holds what the source says.

:func:`verify` opens the spec's source bundle, state and destination (bound to each other as for
a plan), maps the source again with the state's namespace and the workspace's members, tells
``on_budget`` how many read requests the check will make before making any, then reads back the
state's records (or a sample) and compares them (:mod:`migrator.verify.check`). Nothing is
written anywhere.

When the state holds a sample migration (``apply --sample N``), the same sample is chosen again
and mapped, and the rows outside it are counted as ``outside_sample``
(:mod:`migrator.sample.conservation`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from migrator.errors import UsageError
from migrator.identity import migration_namespace
from migrator.mapping import Mapper
from migrator.sample import SampledBundle, sample_bundle, sample_status
from migrator.sample.conservation import count_outside
from migrator.sources.bundle import Bundle
from migrator.spec.validation import load_spec
from migrator.state.location import open_existing_state, state_location_for_spec
from migrator.state.store import StateReader
from migrator.verify.check import Verifier
from migrator.verify.model import VerifyReport
from migrator.workflows.spec_inputs import open_spec_bundle, open_spec_destination


def verify(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    sample: int | None = None,
    on_budget: Callable[[int], None] | None = None,
    display_path: str | None = None,
) -> VerifyReport:
    """Verify the migration of the spec at ``spec_path`` (see the module docstring)."""
    if sample is not None and sample < 1:
        raise UsageError("--sample takes a positive number of records")
    spec = load_spec(spec_path, environ=environ, display_path=display_path).spec
    spec_dir = spec_path.resolve().parent
    bundle = open_spec_bundle(spec, spec_dir)
    location = state_location_for_spec(spec.state, spec_path=spec_path, name=spec.name)
    state = open_existing_state(location)
    if state is None or state.meta().lineage is None:
        if state is not None:
            state.close()
        raise UsageError(
            f"there is nothing to verify: {spec.name!r} has no state yet",
            hint="run `migrator apply` first",
        )
    try:
        meta = state.meta()
        _check_sample_recorded(state, spec_path)
        namespace = uuid.UUID(meta.namespace) if meta.namespace else migration_namespace(spec.name)
        api_key = environ.get(spec.destination.api_key_env)
        with open_spec_destination(spec, spec_dir, api_key) as dest:
            state.check_binding(dest.identity.base_url, dest.identity.workspace_id)
            client = dest.client
            members = {m.user_email.strip().lower(): m.id for m in client.members() if m.user_email}
            objects = {o.name_singular: o for o in client.metadata.list_objects()}
            verifier = Verifier(spec, state, client, objects, namespace, sample, meta.sample)
            mapped: Bundle = bundle
            if meta.sample is not None:
                mapped = sample_bundle(spec, bundle, meta.sample)
            mapper = Mapper(spec, mapped, members=members, namespace=namespace, spec_dir=spec_dir)
            before = client.stats.data_requests
            try:
                with state.snapshot():
                    verifier.collect(mapper)
            finally:
                mapper.close()
            if isinstance(mapped, SampledBundle):
                verifier.counts = count_outside(verifier.counts, spec, mapped)
            budget = verifier.budget
            if on_budget is not None:
                on_budget(budget)
            verifier.check()
            return verifier.report(client.stats.data_requests - before, budget)
    finally:
        state.close()


def _check_sample_recorded(state: StateReader, spec_path: Path) -> None:
    """Refuse when the journal's last writing run is a sample whose size the state never
    recorded (its apply was killed before the end): without the size the sample cannot be chosen
    again, and checking the whole source would report every row outside it as missing."""
    status = sample_status(state)
    if status.holds_sample and status.size is None:
        raise UsageError(
            "the state holds a sample migration whose apply did not finish, so its size was "
            "never recorded",
            hint=f"apply the sample's plan file again to finish it (`migrator apply PLANFILE`), "
            f"or remove it with `migrator destroy {spec_path}`",
        )
