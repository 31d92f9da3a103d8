"""Build ``src/mixguard/data/conda_pypi.json.gz`` from the upstream name maps.

Developer tool: reads ``../shared/data/upstream`` (see its SOURCES.md) and writes one
compressed JSON with its sources and licences. Run by hand when the maps are refreshed.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name

UP = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else Path(__file__).resolve().parents[2] / "shared" / "data" / "upstream"
)
OUT = Path(__file__).resolve().parents[1] / "src" / "mixguard" / "data" / "conda_pypi.json.gz"


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
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(data, fh, separators=(",", ":"), sort_keys=True)
    print(
        f"{OUT}: {len(conda_to_pypi)} conda names, {len(pypi_to_conda)} PyPI names, "
        f"{len(import_names)} import names, {OUT.stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
