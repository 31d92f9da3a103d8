"""Build ``src/mixguard/data/conda_pypi.tsv`` from the upstream name maps.

Developer tool: reads ``../shared/data/upstream`` (see its SOURCES.md) and writes one sorted
table with its sources and licences in the header. Run by hand when the maps are refreshed.

The format is for lookups without parsing (:class:`mixguard.mapping._SortedTable`): one line
per key, ``section<TAB>key[<TAB>value...]``, sorted as bytes; sections ``c`` conda -> PyPI names
(parselmouth; a line with no value: not a Python package), ``p`` PyPI -> conda (grayskull),
``i`` PyPI -> import name, ``s`` PyPI -> the conda packages shipping it (``c`` reversed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name

UP = (
    Path(sys.argv[1])
    if len(sys.argv) > 1 and not sys.argv[1].startswith("--")
    else Path(__file__).resolve().parents[2] / "shared" / "data" / "upstream"
)
OUT = Path(__file__).resolve().parents[1] / "src" / "mixguard" / "data" / "conda_pypi.tsv"


def write_table(data: dict[str, Any], out: Path) -> None:
    """``data`` (sources, conda_to_pypi, pypi_to_conda, import_names) as the sorted table."""
    shipped: dict[str, set[str]] = {}
    for conda, pypi in data["conda_to_pypi"].items():
        for p in pypi:
            shipped.setdefault(p, set()).add(conda)
    lines = [
        *(("\t".join(["c", k, *v])) for k, v in data["conda_to_pypi"].items()),
        *(f"p\t{k}\t{v}" for k, v in data["pypi_to_conda"].items()),
        *(f"i\t{k}\t{v}" for k, v in data["import_names"].items()),
        *(("\t".join(["s", k, *sorted(v)])) for k, v in shipped.items()),
    ]
    for line in lines:
        assert "\n" not in line and line.count("\t") >= 1, line
    body = sorted(line.encode() for line in lines)
    header = [
        "# mixguard name map: section<TAB>key[<TAB>value...], sorted as bytes",
        "# c: conda -> PyPI names, p: PyPI -> conda, i: PyPI -> import name, s: PyPI -> conda",
        *(f"# source: {src}" for src in data["sources"]),
    ]
    out.write_bytes("\n".join(header).encode() + b"\n" + b"\n".join(body) + b"\n")


def main() -> None:
    conda_to_pypi: dict[str, list[str]] = {}
    for channel in ("conda-forge", "pytorch"):
        raw = json.loads(
            (UP / "parselmouth" / "v0" / channel / "compressed_mapping.json").read_text()
        )
        for conda, pypi in raw.items():
            # None means "not a Python package" (cudatoolkit, libprotobuf): keep it as []
            conda_to_pypi.setdefault(conda, sorted({canonicalize_name(p) for p in pypi or []}))
    pypi_to_conda: dict[str, str] = {}
    for pypi, conda in json.loads(
        (UP / "parselmouth" / "mapping_as_grayskull.json").read_text()
    ).items():
        pypi_to_conda[canonicalize_name(pypi)] = conda
    import_names: dict[str, str] = {}
    for entry in json.loads(
        (UP / "conda-pypi" / "grayskull_pypi_mapping.json").read_text()
    ).values():
        if entry.get("import_name") and entry.get("pypi_name"):
            import_names[canonicalize_name(entry["pypi_name"])] = entry["import_name"]
    for pypi, entry in (
        yaml.safe_load((UP / "grayskull" / "config.yaml").read_text()) or {}
    ).items():
        key = canonicalize_name(pypi)
        if isinstance(entry, dict):
            if entry.get("conda_forge"):
                pypi_to_conda[key] = entry["conda_forge"]
            if entry.get("import_name"):
                import_names[key] = entry["import_name"]
    data = {
        "sources": [
            "prefix-dev/parselmouth @ 345e9bfb files/v0/{conda-forge,pytorch}/compressed_mapping.json (BSD-3-Clause)",
            "prefix-dev/parselmouth @ 761008df files/mapping_as_grayskull.json (BSD-3-Clause)",
            "conda-incubator/conda-pypi @ c524f710 conda_pypi/grayskull_pypi_mapping.json (MIT; regro/cf-graph data)",
            "conda/grayskull @ dac990e3 grayskull/strategy/config.yaml (Apache-2.0)",
        ],
        "conda_to_pypi": conda_to_pypi,
        "pypi_to_conda": pypi_to_conda,
        "import_names": import_names,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_table(data, OUT)
    print(
        f"{OUT}: {len(conda_to_pypi)} conda names, {len(pypi_to_conda)} PyPI names, "
        f"{len(import_names)} import names, {OUT.stat().st_size} bytes"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--from-json"]:  # the earlier format, converted as it is
        import gzip

        with gzip.open(sys.argv[2], "rt", encoding="utf-8") as fh:
            write_table(json.load(fh), OUT)
    else:
        main()
