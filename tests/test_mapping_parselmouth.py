"""The conda <-> PyPI map held against parselmouth (what each conda-forge package contains).

Every conda-forge Python package the shipped table covers must map to parselmouth's PyPI names
(except the curated corrections listed here, each with its reason), and every PyPI name must
map back to a conda package that ships it (PyPI ``tzdata`` is ``python-tzdata``, never conda's
time-zone ``tzdata``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from packaging.utils import canonicalize_name

from mixguard.mapping import name_map

PARSELMOUTH = (
    Path(__file__).parent / "data/upstream/parselmouth/v0/conda-forge/compressed_mapping.json.gz"
)

#: where mixguard's curated data (data/import_names.json) deliberately differs, and why
CURATED = {
    # conda-forge's py-opencv also stands for the contrib wheels (same cv2 module)
    "py-opencv": "also opencv-contrib-python(-headless): the same cv2",
    # metapackages parselmouth maps to nothing: they install the framework's distribution
    "pytorch-gpu": "a metapackage installing pytorch (torch)",
    "tensorflow-cpu": "a metapackage installing tensorflow",
    "tensorflow-gpu": "a metapackage installing tensorflow",
}


def _parselmouth() -> dict[str, list[str] | None]:
    with gzip.open(PARSELMOUTH, "rt", encoding="utf-8") as fh:
        data: dict[str, list[str] | None] = json.load(fh)
    return data


def test_every_conda_package_maps_as_parselmouth_says() -> None:
    nm = name_map()
    compared = 0
    differ = {}
    for conda, pypi in _parselmouth().items():
        got = nm.pypi_names(conda)
        if got is None:
            continue
        compared += 1
        want = sorted(str(canonicalize_name(p)) for p in pypi or ())
        if sorted(str(canonicalize_name(p)) for p in got) != want:
            differ[conda] = (got, pypi)
    assert compared > 30_000
    assert set(differ) == set(CURATED), differ


def test_every_pypi_name_maps_back_to_a_conda_package_that_ships_it() -> None:
    nm = name_map()
    shipping: dict[str, set[str]] = {}
    for conda, pypi in _parselmouth().items():
        for p in pypi or ():
            shipping.setdefault(str(canonicalize_name(p)), set()).add(conda)
    wrong = {p: nm.conda_of(p) for p, cs in shipping.items() if nm.conda_of(p) not in cs}
    assert len(shipping) > 20_000
    assert wrong == {}
    assert nm.conda_of("tzdata") == "python-tzdata"
    assert nm.conda_of("torch") == "pytorch"
    assert nm.pypi_names("tzdata") == ()  # conda's tzdata is the time-zone database
