"""Generate the whole demo world: population, sources, reports, manifests and truth.

People are visited in a seeded random order, a chunk at a time; each chunk's records are
drafted, shuffled and appended by every source writer before the next chunk is resolved,
so memory stays flat however large the world. Nothing here reads the clock, the locale or
``hash()``, so the same (people, seed) gives byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from linkwise.demo.config import SourceSummary, WorldConfig, WorldSummary
from linkwise.demo.corrupt import Tally
from linkwise.demo.names import COMMON_SURNAMES, SURNAMES
from linkwise.demo.person import people as resolve_people
from linkwise.demo.plan import plan_chunk
from linkwise.demo.population import THIRD, Population, build_population
from linkwise.demo.rand import child_numpy, child_rng
from linkwise.demo.sources.base import SourceWriter
from linkwise.demo.sources.benefits import BenefitsWriter
from linkwise.demo.sources.civil import CivilWriter
from linkwise.demo.sources.court import CourtWriter
from linkwise.demo.sources.jail import JailWriter
from linkwise.demo.sources.public import PublicRecordsWriter
from linkwise.demo.sources.reports import MENTIONS, ReportWriter
from linkwise.demo.sources.vehicles import VehicleWriter
from linkwise.demo.truth import PEOPLE, TAGS, TRUTH, TruthWriter, write_people

Progress = Callable[[str, int, int], None]
CHUNK = 20_000
WORLD = "world.json"
WRITERS: tuple[type[SourceWriter], ...] = (
    CourtWriter,
    JailWriter,
    VehicleWriter,
    BenefitsWriter,
    CivilWriter,
    PublicRecordsWriter,
)


def generate_world(
    out: Path,
    people: int,
    seed: int,
    progress: Progress | None = None,
    config: WorldConfig | None = None,
) -> WorldSummary:
    """Write a synthetic world of ``people`` people into ``out`` (created if missing):
    one manifest per source with its file beside it, truth.csv, record_tags.csv,
    people.csv, truth_mentions.csv and world.json. Files of an earlier world in ``out``
    are overwritten."""
    if people < 1:
        raise ValueError(f"people must be at least 1, got {people}")
    config = config or WorldConfig()
    out.mkdir(parents=True, exist_ok=True)
    pop = build_population(people, seed, config, progress)
    writers = [cls(out, config, seed) for cls in WRITERS]
    reports = ReportWriter(out, config, seed, people)
    plan_rng = child_rng(seed, "plan")
    order = child_numpy(seed, "order").permutation(people)
    try:
        with TruthWriter(out) as truth:
            for start in range(0, people, CHUNK):
                done = min(start + CHUNK, people)
                chunk = resolve_people(pop, order[start:done])
                plan = plan_chunk(chunk, plan_rng, config)
                for writer in writers:
                    truth.add(writer.name, writer.write(plan.visits.get(writer.name, [])))
                reports.write(plan, done)
                if progress is not None:
                    progress("records", done, people)
    finally:
        for writer in writers:
            writer.close()
        reports.close()
    write_people(out, pop, CHUNK, progress)
    manifests = [
        _write_manifest(out, w.name, w.manifest(), w.manifest_comment(), seed) for w in writers
    ]
    reports_manifest = _write_manifest(
        out, "incident_reports", reports.manifest(), reports.manifest_comment(), seed
    )
    summary = WorldSummary(
        people=people,
        seed=seed,
        households=pop.households,
        sources=tuple(
            SourceSummary(w.name, m, w.path, w.format, w.encoding, w.records)
            for w, m in zip(writers, manifests, strict=True)
        ),
        files=(
            *manifests,
            *(w.path for w in writers),
            reports_manifest,
            reports.manifest()["path"],
            MENTIONS,
            TRUTH,
            TAGS,
            PEOPLE,
            WORLD,
        ),
        difficulties=dict(sorted(_merged(writers).realised.items())),
        population=population_stats(pop),
    )
    _write_world(out, summary, config, writers, reports)
    return summary


def population_stats(pop: Population) -> dict[str, int]:
    hh = pop.household
    common = np.array([e.text in COMMON_SURNAMES for e in SURNAMES], dtype=bool)
    has_common = common[pop.family] | ((pop.family2 >= 0) & common[np.maximum(pop.family2, 0)])
    return {
        "households": pop.households,
        "twin_pairs": int((pop.twin_of >= 0).sum() // 2),
        "jr_sr_pairs": int((pop.father_of >= 0).sum()),
        "shelter_people": int(pop.hh_shelter[hh].sum()),
        "movers": int((pop.hh_count[hh] > 1).sum()),
        "double_surname": int(((pop.family2 >= 0) & (pop.hyphen == 0)).sum()),
        "hyphenated_surname": int(pop.hyphen.sum()),
        "suffix_iii": int((pop.suffix == THIRD).sum()),
        "common_surname": int(has_common.sum()),
        "shared_home_phone_households": int((pop.hh_phone > 0).sum()),
    }


def _merged(writers: list[SourceWriter]) -> Tally:
    total = Tally()
    for writer in writers:
        total.merge(writer.tally)
    return total


def _write_manifest(out: Path, name: str, manifest: dict[str, Any], comment: str, seed: int) -> str:
    header = [f"# {manifest['title']}: synthetic demo source (linkwise.demo, seed {seed})."]
    header += [f"# {line}" for line in comment.splitlines()]
    body = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
    filename = f"{name}.yaml"
    (out / filename).write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    return filename


def _write_world(
    out: Path,
    summary: WorldSummary,
    config: WorldConfig,
    writers: list[SourceWriter],
    reports: ReportWriter,
) -> None:
    tally = _merged(writers)
    info = {
        "generator": "linkwise.demo",
        "people": summary.people,
        "seed": summary.seed,
        "config": asdict(config),
        "sources": {
            s.name: {
                "manifest": s.manifest,
                "path": s.path,
                "format": s.format,
                "encoding": s.encoding,
                "records": s.records,
            }
            for s in summary.sources
        },
        "reports": {"manifest": "incident_reports.yaml", "documents": reports.written},
        "population": dict(summary.population),
        "difficulties": {
            tag: {
                "realised": tally.realised[tag],
                "eligible": tally.eligible.get(tag),
                "expected": round(tally.expected[tag], 3) if tag in tally.expected else None,
            }
            for tag in sorted(tally.realised.keys() | tally.eligible.keys())
        },
        "difficulties_by_source": {w.name: dict(sorted(w.tally.realised.items())) for w in writers},
        "files": list(summary.files),
    }
    text = json.dumps(info, indent=2, ensure_ascii=False, sort_keys=False)
    (out / WORLD).write_text(text + "\n", encoding="utf-8")
