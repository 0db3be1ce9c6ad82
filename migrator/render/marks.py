"""How the human views mark each action, and the colours a terminal may show them in.

The marks read like Terraform's and are documented in the legend every text and Markdown plan
prints:

* ``+`` create a new record (or schema resource);
* ``~`` update a record migrator wrote before;
* ``-`` delete;
* ``-/+`` replace (delete, then create);
* ``<=`` merge into a record that already exists in Twenty (matched by a unique value; its
  current values are kept for destroy): data flows *into* something already there;
* ``^`` restore a soft-deleted Twenty record (matched by a unique value) and write into it:
  something deleted comes back up.

No-ops are counted, never listed.
"""

from __future__ import annotations

from migrator.model import Action

MARKS: dict[Action, str] = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.REPLACE: "-/+",
    Action.MERGE: "<=",
    Action.RESTORE: "^",
    Action.NOOP: " ",
}
"""The mark of each action (the widest is three characters)."""

VERBS: dict[Action, str] = {
    Action.CREATE: "create",
    Action.UPDATE: "update in place",
    Action.DELETE: "delete",
    Action.REPLACE: "delete, then create",
    Action.MERGE: "merge into an existing Twenty record",
    Action.RESTORE: "restore a soft-deleted Twenty record",
    Action.NOOP: "no change",
}
"""What each action does, in the words the legend uses."""

LISTED_ACTIONS: tuple[Action, ...] = (
    Action.CREATE,
    Action.UPDATE,
    Action.MERGE,
    Action.RESTORE,
    Action.REPLACE,
    Action.DELETE,
)
"""Actions the views list one by one, in legend order."""

_ANSI: dict[Action, str] = {
    Action.CREATE: "32",  # green
    Action.UPDATE: "33",  # yellow
    Action.DELETE: "31",  # red
    Action.REPLACE: "31",
    Action.MERGE: "36",  # cyan
    Action.RESTORE: "35",  # magenta
    Action.NOOP: "0",
}


def mark(action: Action, *, color: bool) -> str:
    """The action's mark, right-aligned to three characters, in colour when ``color`` is set."""
    text = f"{MARKS[action]:>3}"
    return paint(text, _ANSI[action]) if color else text


def paint(text: str, code: str) -> str:
    """``text`` wrapped in the ANSI SGR ``code`` (the caller decides whether colour is wanted)."""
    return f"\x1b[{code}m{text}\x1b[0m"


def legend() -> tuple[str, ...]:
    """One line per listed action: its mark and what it does."""
    return tuple(f"{MARKS[action]:>3} {VERBS[action]}" for action in LISTED_ACTIONS)
