"""Same (people, seed), same bytes; another seed, another world."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from linkwise.demo import generate_world


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = generate_world(tmp_path / "a", 400, 5)
    second = generate_world(tmp_path / "b", 400, 5)
    assert first == second
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert a == b
    assert any(name.startswith("reports/") for name in a)


def test_regenerating_in_place_gives_identical_files(tmp_path: Path) -> None:
    generate_world(tmp_path, 300, 5)
    before = digests(tmp_path)
    generate_world(tmp_path, 300, 5)
    assert digests(tmp_path) == before


def test_another_seed_gives_another_world(tmp_path: Path) -> None:
    generate_world(tmp_path / "a", 400, 5)
    generate_world(tmp_path / "b", 400, 6)
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    for name in ("people.csv", "truth.csv", "court_dispositions.csv", "benefits.sqlite"):
        assert a[name] != b[name], name


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from linkwise.demo import generate_world; "
        "generate_world(Path(sys.argv[1]), 300, 9)"
    )
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "LC_ALL": "C", "TZ": "Pacific/Auckland"}
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / hash_seed)], env=env, check=True
        )
    assert digests(tmp_path / "1") == digests(tmp_path / "2")
