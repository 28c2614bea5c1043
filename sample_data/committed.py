"""The sample extracts committed in `sample_data/`: what a newcomer opens without running
anything, and what the data steward's documentation points at.

`extracts/` holds one good extract per project (WGTW-VBR as XLSX, the others as CSV in their
partner system's style) and the placements of Werk-in-zicht, Jumpstart and OCMW
(`<project>_placements_<date>`), `faulty/` one file per way an extract goes wrong, and
`README.md`
says which rule each breaks. `python -m sample_data.committed` writes them again; a test
fails when the committed files differ from what the generator writes now.
"""

from __future__ import annotations

from pathlib import Path

from sample_data.faulty import FAULTS, PLACEMENT_FAULTS, write_faulty, write_faulty_placements
from sample_data.generator import DEFAULT_EXTRACT_DATE, generate, shared_rows
from sample_data.placements import generate_placements
from sample_data.writer import write_placements, write_sample
from werkpad.config import SAMPLE_DEFAULT_SEED

# A few hundred rows a project: enough to read and to load, small enough for git.
ROWS = 1_500
HERE = Path(__file__).parent


def write_committed(root: Path = HERE) -> list[Path]:
    """Write extracts/, faulty/ and README.md under root; return every path written."""
    frames = generate(ROWS, SAMPLE_DEFAULT_SEED, programmes=True)
    placements = generate_placements(frames, SAMPLE_DEFAULT_SEED)
    good = write_sample(frames, root / "extracts")
    good += write_placements(placements, root / "extracts")
    faulty = write_faulty(shared_rows(frames), root / "faulty", DEFAULT_EXTRACT_DATE)
    wrong = write_faulty_placements(placements["WIZ-ANT"], root / "faulty", DEFAULT_EXTRACT_DATE)
    readme = root / "README.md"
    readme.write_text(_readme(good, faulty, wrong), encoding="utf-8")
    return [*good, *faulty, *wrong, readme]


def _readme(good: list[Path], faulty: dict[Path, str], wrong: dict[Path, str]) -> str:
    fault_of = dict(zip(faulty, FAULTS, strict=True))  # write_faulty keeps FAULTS' order
    fault_of |= dict(zip(wrong, PLACEMENT_FAULTS, strict=True))
    faulty = faulty | wrong
    lines = [
        "# Sample data",
        "",
        "Seeded, pseudonymised sample extracts shaped like the demo site's partner exports:",
        "the five We Go To Work projects and Jumpstart, IPS (Jobcentrum Reling), Werk-in-zicht",
        "and an OCMW work-experience project (sample_data/programmes.yaml), and the placements",
        "with employers of Werk-in-zicht, Jumpstart and OCMW (`<project>_placements_<date>`,",
        "sample_data/placements.py). Nothing here is about a real person or company. Written by",
        "`python -m sample_data.committed` (`sample_data/committed.py`); a test fails when",
        "these files are stale. `werkpad sample` writes larger sets (`--rows`), and",
        "`make demo` loads a full-size one.",
        "",
        "Try the nightly load on them:",
        "",
        "```sh",
        "mkdir -p /tmp/inbox && cp sample_data/extracts/* sample_data/faulty/* /tmp/inbox/",
        "uv run werkpad load --inbox /tmp/inbox --warehouse /tmp/warehouse.duckdb",
        "```",
        "",
        f"## extracts/ ({len(good)} files; {ROWS} We Go To Work trajectories): each loads",
        "",
        *[f"- `{p.name}`" for p in sorted(good)],
        "",
        f"## faulty/ ({len(faulty)} files): each is refused, for this rule",
        "",
        "| file | rule | what is wrong |",
        "|---|---|---|",
        *[
            f"| `{p.name}` | `{rule}` | {fault_of[p].replace('_', ' ')} |"
            for p, rule in sorted(faulty.items())
        ],
        "",
        "A snapshot that shrinks too much (`row_drop`) needs a live snapshot to shrink from, so",
        "it has no file here: `tests/pipelines/test_deliveries.py` builds one.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    for path in write_committed():
        print(path)
