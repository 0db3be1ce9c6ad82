"""The spec proposer (``migrator init``): a starter migration spec from a source bundle.

:func:`~migrator.init.propose.propose_spec` places every known object by the source system's
standard map and guesses a Twenty type and name for each remaining field from the bundle schema
and the values, commenting every guess with its confidence and reason. The result validates as
written; the engineer's review of the file is the human confirmation.
"""

from __future__ import annotations
