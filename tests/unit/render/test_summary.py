"""What the human views say about a header: URLs without credentials, durations, columns."""

from __future__ import annotations

from migrator.plan.model import DestinationIdentity, MappingCounts
from migrator.render.summary import (
    count_columns,
    destination_text,
    duration_text,
    safe_url,
    show_value,
)
from tests.unit.render.plans import sales_header


def test_safe_url_drops_credentials_query_and_fragment() -> None:
    assert safe_url("https://user:s3cret@crm.example.org:8443/api?token=abc#x") == (
        "https://crm.example.org:8443/api"
    )
    assert safe_url("sandbox:.migrator/sandbox.db") == "sandbox:.migrator/sandbox.db"


def test_sandbox_inside_the_spec_directory_is_shown_as_the_spec_names_it() -> None:
    header = sales_header().model_copy(
        update={
            "spec_dir": "/runner/work/repo/examples/oplacrm",
            "destination": DestinationIdentity(
                base_url="sandbox:/runner/work/repo/examples/oplacrm/.migrator/sandbox.db",
                workspace_id="ws",
            ),
        }
    )
    assert destination_text(header) == "sandbox:.migrator/sandbox.db (workspace ws)"
    elsewhere = header.model_copy(
        update={"destination": DestinationIdentity(base_url="sandbox:/srv/s.db", workspace_id="w")}
    )
    assert destination_text(elsewhere) == "sandbox:/srv/s.db (workspace w)"


def test_durations_read_naturally() -> None:
    assert [duration_text(s) for s in (0.4, 59, 200, 7500)] == [
        "0 s",
        "59 s",
        "3 min 20 s",
        "2 h 5 min",
    ]


def test_values_are_one_line_of_json_cut_with_an_ellipsis() -> None:
    assert show_value("a\nb") == '"a\\nb"'
    assert show_value({"b": 1, "a": [1, 2]}) == '{"a": [1, 2], "b": 1}'
    assert show_value("x" * 100, limit=10) == '"xxxxxxxx…'


def test_extra_count_columns_only_when_used() -> None:
    header = sales_header()
    assert count_columns(header)[-2:] == ("aggregated", "links")
    plain = header.model_copy(
        update={
            "counts": (MappingCounts(mapping="m", twenty_object="company", source=1, create=1),)
        }
    )
    assert count_columns(plain) == (
        "create",
        "update",
        "merge",
        "restore",
        "delete",
        "noop",
        "quarantined",
        "held",
        "deduplicated",
        "skipped",
    )
