"""API throughput for governed entity views: 20 concurrent clients on 127.0.0.1.

    .venv/bin/python benchmarks/api_throughput.py [--seconds 20] [--connections 20]
        [--source benchmarks/out/resolve_accuracy/demo_100k/linkwise/workspace]
        [--out benchmarks/out/api_throughput] [--workers 1]

The workspace is the resolved 100k-person demo world of ``resolve_accuracy.py`` (about
200,000 records, 88,000 entities), copied to ``--out`` the first time, upgraded to the
current schema and given the demo's users, cases and authorisations
(``linkwise.workspace.demo_governance.seed_governance``). It is served by ``linkwise serve
--workers N`` (one uvicorn process by default) on a free port of 127.0.0.1.

The load tool is ``wrk`` (Debian's package) on 127.0.0.1 only, for ``--seconds`` each, with
``--connections`` connections over 2 threads. Each request is
``GET /api/v1/entities/{id}`` as the analyst of demo case 1 (a criminal investigation with
an approved subpoena): a token checked, the case admitted, a governed read of the entity's
records and links with a policy decision per value, and its audit event written (a
hash-chained insert in its own transaction). The ids cycle through ``--entities`` active
entities drawn at random, so the answers are not one cached row. The baseline, in the same
run, is the same load on ``GET /api/v1/health`` (no token, no data, no governance): what the
server and the tool cost by themselves.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_SOURCE = BENCH / "out/resolve_accuracy/demo_100k/linkwise/workspace"
DEFAULT_OUT = BENCH / "out/api_throughput"
LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], %(headers)s)
end
done = function(summary, latency, requests)
  io.write(string.format("JSON %%d %%d %%d %%d %%d %%d %%.3f %%.3f %%.3f\\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def prepare(source: Path, out: Path) -> tuple[Path, str, int]:
    """The benchmark's workspace (made once), the analyst's token and case 1's id."""
    from linkwise.workspace import Workspace
    from linkwise.workspace import users as ws_users
    from linkwise.workspace.demo_governance import demo_password, seed_governance

    root = out / "workspace"
    ready = out / "ready.json"
    if not ready.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        shutil.copy(source / "linkwise.db", root / "linkwise.db")
        ws, _ = Workspace.init(root)  # upgrades the copied database to the current schema
        with ws:
            access = seed_governance(ws)
        if not access.cases:
            raise SystemExit(f"{source} already has users: copy a workspace without them")
        ready.write_text(json.dumps({"case": access.cases[0].id}))
    case_id = int(json.loads(ready.read_text())["case"])
    with Workspace.open(root) as ws:
        password = demo_password(ws).read_text(encoding="utf-8").strip()
        _, secret = ws_users.create_token(ws, "ana", password, "ana", "api benchmark", 1)
    return root, secret, case_id


def entity_ids(root: Path, count: int, seed: int) -> list[str]:
    with sqlite3.connect(root / "linkwise.db") as db:
        rows = db.execute("SELECT id FROM entities WHERE status = 'active'").fetchall()
    ids = sorted(str(r[0]) for r in rows)
    random.Random(seed).shuffle(ids)
    return ids[:count]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(root: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """``linkwise serve`` on ``root``, in a process of its own."""
    command = [sys.executable, "-m", "linkwise", "serve", "-w", str(root)]
    command += ["--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def load(
    port: int, paths: list[str], headers: dict[str, str], seconds: int, connections: int, out: Path
) -> dict[str, Any]:
    """One wrk run over ``paths`` in turn; requests/s, latency percentiles (ms), errors."""
    path_file = out / "paths.txt"
    path_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    lua_headers = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
    script = out / "load.lua"
    script.write_text(LUA % {"paths": path_file, "headers": lua_headers}, encoding="utf-8")
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"^JSON (.*)$", result.stdout, re.MULTILINE)
    assert found, result.stdout
    fields = found.group(1).split()
    requests, connect, read, write, status, timeout = (int(x) for x in fields[:6])
    p50, p95, p99 = (float(x) for x in fields[6:])
    return {
        "requests": requests,
        "rps": requests / seconds,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "errors": connect + read + write + timeout,
        "non_2xx": status,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1, help="linkwise serve --workers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    args.out.mkdir(parents=True, exist_ok=True)
    root, token, case_id = prepare(args.source, args.out)
    ids = entity_ids(root, args.entities, args.seed)
    port = free_port()
    server = serve(root, port, args.workers)
    try:
        governed = {"Authorization": f"Bearer {token}", "X-Linkwise-Case": str(case_id)}
        warm = [f"/api/v1/entities/{i}" for i in ids[:50]]
        load(port, warm, governed, 3, args.connections, args.out)  # warm caches, then measure
        rows = {
            "GET /api/v1/health (baseline)": load(
                port, ["/api/v1/health"], {}, args.seconds, args.connections, args.out
            ),
            "GET /api/v1/entities/{id} (governed)": load(
                port,
                [f"/api/v1/entities/{i}" for i in ids],
                governed,
                args.seconds,
                args.connections,
                args.out,
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    (args.out / "results.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(
        f"{args.connections} connections, {args.seconds} s each, {len(ids)} entity ids, "
        f"case {case_id} as ana, {args.workers} server process(es)"
    )
    print("| endpoint | requests | requests/s | p50 ms | p95 ms | p99 ms | errors | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['requests']:,} | {r['rps']:,.1f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {r['non_2xx']} |"
        )


if __name__ == "__main__":
    main()
