"""Eight writer threads in-process and eight HTTP clients at once lose nothing (issue #4)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx

from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.server import serve_in_thread
from migrator.sandbox.transport import in_process_transport

THREADS = 8
BATCHES = 5
BATCH_SIZE = 40


def _batches(worker: str) -> list[list[dict[str, object]]]:
    return [
        [
            {
                "name": f"{worker} {batch}-{n}",
                "domainName": {"primaryLinkUrl": f"https://{worker}-{batch}-{n}.example"},
            }
            for n in range(BATCH_SIZE)
        ]
        for batch in range(BATCHES)
    ]


def _run(client: httpx.Client, worker: str, errors: list[str]) -> None:
    for batch in _batches(worker):
        answer = client.post("/rest/batch/companies", json=batch)
        if answer.status_code != 201:
            errors.append(f"{worker}: {answer.status_code} {answer.text[:200]}")
    # a duplicate batch is refused whole, even while others write
    answer = client.post("/rest/batch/companies", json=_batches(worker)[0][:2])
    if answer.status_code != 400:
        errors.append(f"{worker}: duplicate answered {answer.status_code}")


def test_eight_threads_and_eight_http_clients_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    errors: list[str] = []
    with make_sandbox(SandboxConfig(db_path=db)) as sandbox, serve_in_thread(sandbox) as served:
        auth = {"Authorization": f"Bearer {sandbox.api_key}"}
        clients = [
            httpx.Client(transport=in_process_transport(sandbox), base_url="http://x", headers=auth)
            for _ in range(THREADS)
        ] + [httpx.Client(base_url=served.url, headers=auth, timeout=60) for _ in range(THREADS)]
        threads = [
            threading.Thread(target=_run, args=(client, f"w{index}", errors))
            for index, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for client in clients:
            client.close()
        listed = httpx.get(f"{served.url}/rest/companies?limit=1", headers=auth).json()
    assert errors == []
    expected = 2 * THREADS * BATCHES * BATCH_SIZE
    assert listed["totalCount"] == expected
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with make_sandbox(SandboxConfig(db_path=db)) as reopened:
        table = reopened.workspace.schema.by_singular["company"].table
        with reopened.workspace.store.read() as conn:
            count, distinct = conn.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.name')) FROM \"{table}\""
            ).fetchone()
    assert count == distinct == expected
