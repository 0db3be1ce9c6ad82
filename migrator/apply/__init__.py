"""Apply: execute a checked plan exactly, survive crashes, reconcile every phase, audit it all.

:func:`~migrator.apply.executor.execute` is the entry point (the workflow opens the destination,
the state and the desired-write source, and checks binding and source first); the rest are its
parts: ``checks`` (is the plan still the one to run), ``source`` (the mapper, run again to
recompute payloads), ``join`` (plan changes paired with the recomputed bodies), ``schema`` and
``handlers`` (one per kind of write), ``phases`` (batching, concurrency, a state commit per
batch), ``reconcile`` (per-phase counts), ``audit``, ``rules`` (what the audit log says about
how payloads were made, without values), ``progress``, and ``adopt`` (``state import``).
"""
