"""Build the TF 2.9 / CUDA 11.2 conda prefix fixture (``src/mixguard/demo/tf29-cuda112``).

Developer tool, run by hand with network access; its output is committed and the tests and the
embedded demo use that output, offline.

- Real conda-forge records (``tests/data/upstream/libcfgraph``) for tensorflow, tensorflow-base,
  tensorflow-estimator, keras, tensorboard, cudatoolkit, cudnn, protobuf, numpy and python.
- The rest of the environment is *synthesized*: conda-forge builds of mid-2022 that the real
  records' pins admit (``SYNTHESIZED`` below; builds from the real ``host_env_note`` where it
  names them). Every synthesized record carries ``"_fixture": "synthesized"``.
- Each Python package gets a ``.dist-info`` with the real PyPI ``METADATA`` (and ``RECORD`` /
  ``top_level.txt``) of the same version, read from the wheel's zip central directory with HTTP
  Range requests; INSTALLER is ``conda``. protobuf 3.20.1 is an ``.egg-info`` holding only
  ``PKG-INFO`` (from the sdist), as conda-forge ships it. Long RECORDs are trimmed.

Usage: python tools/build_demo_prefix.py [OUT_DIR]
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = (
    ROOT / "tests" / "data" / "upstream" / "libcfgraph" / "tf29_cuda112_py310_index_records.json"
)
OUT = ROOT / "src" / "mixguard" / "demo" / "tf29-cuda112"
SP = "lib/python3.10/site-packages"
CF = "https://conda.anaconda.org/conda-forge"
SIMPLE = "https://pypi.org/simple"
MAX_RECORD = 120  # files kept per RECORD, besides the dist-info's own

# conda name, version, build, subdir, depends, pypi name (None: not a Python package)
SYNTHESIZED: list[tuple[str, str, str, str, list[str], str | None]] = [
    ("python_abi", "3.10", "2_cp310", "linux-64", [], None),
    (
        "libprotobuf",
        "3.20.1",
        "h6239696_0",
        "linux-64",
        ["libgcc-ng >=10.3.0", "libstdcxx-ng >=10.3.0", "libzlib >=1.2.12,<1.3.0a0"],
        None,
    ),
    (
        "nccl",
        "2.12.12.1",
        "h0800d71_0",
        "linux-64",
        ["cudatoolkit >=11.2,<12.0a0", "libgcc-ng >=12", "libstdcxx-ng >=12"],
        None,
    ),
    (
        "libgcc-ng",
        "12.1.0",
        "h8d9b700_16",
        "linux-64",
        ["_libgcc_mutex 0.1 conda_forge", "_openmp_mutex >=4.5"],
        None,
    ),
    ("libstdcxx-ng", "12.1.0", "ha89aaad_16", "linux-64", [], None),
    ("_libgcc_mutex", "0.1", "conda_forge", "linux-64", [], None),
    (
        "_openmp_mutex",
        "4.5",
        "2_gnu",
        "linux-64",
        ["_libgcc_mutex 0.1 conda_forge", "libgomp >=7.5.0"],
        None,
    ),
    ("libgomp", "12.1.0", "h8d9b700_16", "linux-64", ["_libgcc_mutex 0.1 conda_forge"], None),
    ("libzlib", "1.2.12", "h166bdaf_2", "linux-64", ["libgcc-ng >=12"], None),
    ("openssl", "1.1.1q", "h166bdaf_0", "linux-64", ["ca-certificates", "libgcc-ng >=12"], None),
    ("ca-certificates", "2022.6.15", "ha878542_0", "linux-64", [], None),
    (
        "abseil-cpp",
        "20211102.0",
        "h27087fc_1",
        "linux-64",
        ["libgcc-ng >=10.3.0", "libstdcxx-ng >=10.3.0"],
        None,
    ),
    (
        "grpc-cpp",
        "1.46.3",
        "hc275bc2_2",
        "linux-64",
        [
            "abseil-cpp >=20211102.0,<20211102.1.0a0",
            "libgcc-ng >=12",
            "libprotobuf >=3.20.1,<3.21.0a0",
            "libstdcxx-ng >=12",
            "libzlib >=1.2.12,<1.3.0a0",
            "openssl >=1.1.1o,<1.1.2a",
            "re2 >=2022.4.1,<2022.4.2.0a0",
            "c-ares >=1.18.1,<2.0a0",
        ],
        None,
    ),
    (
        "re2",
        "2022.04.01",
        "h27087fc_0",
        "linux-64",
        ["libgcc-ng >=10.3.0", "libstdcxx-ng >=10.3.0"],
        None,
    ),
    ("c-ares", "1.18.1", "h7f98852_0", "linux-64", ["libgcc-ng >=9.3.0"], None),
    ("giflib", "5.2.1", "h36c2ea0_2", "linux-64", ["libgcc-ng >=9.3.0"], None),
    (
        "icu",
        "70.1",
        "h27087fc_0",
        "linux-64",
        ["libgcc-ng >=10.3.0", "libstdcxx-ng >=10.3.0"],
        None,
    ),
    ("jpeg", "9e", "h166bdaf_2", "linux-64", ["libgcc-ng >=12"], None),
    (
        "libcurl",
        "7.83.1",
        "h7bff187_0",
        "linux-64",
        ["libgcc-ng >=12", "libzlib >=1.2.12,<1.3.0a0", "openssl >=1.1.1o,<1.1.2a"],
        None,
    ),
    (
        "libpng",
        "1.6.37",
        "h753d276_3",
        "linux-64",
        ["libgcc-ng >=12", "libzlib >=1.2.12,<1.3.0a0"],
        None,
    ),
    (
        "snappy",
        "1.1.9",
        "hbd366e4_1",
        "linux-64",
        ["libgcc-ng >=9.4.0", "libstdcxx-ng >=9.4.0"],
        None,
    ),
    (
        "sqlite",
        "3.39.2",
        "h4ff8645_0",
        "linux-64",
        ["libgcc-ng >=12", "libzlib >=1.2.12,<1.3.0a0"],
        None,
    ),
    ("libblas", "3.9.0", "15_linux64_openblas", "linux-64", ["libopenblas >=0.3.20,<1.0a0"], None),
    (
        "libcblas",
        "3.9.0",
        "15_linux64_openblas",
        "linux-64",
        ["libblas 3.9.0 15_linux64_openblas"],
        None,
    ),
    (
        "liblapack",
        "3.9.0",
        "15_linux64_openblas",
        "linux-64",
        ["libblas 3.9.0 15_linux64_openblas"],
        None,
    ),
    ("libopenblas", "0.3.20", "pthreads_h78a6416_0", "linux-64", ["libgcc-ng >=10.3.0"], None),
    (
        "hdf5",
        "1.12.1",
        "nompi_h2386368_104",
        "linux-64",
        ["libgcc-ng >=10.3.0", "libzlib >=1.2.12,<1.3.0a0"],
        None,
    ),
    ("bzip2", "1.0.8", "h7f98852_4", "linux-64", ["libgcc-ng >=9.3.0"], None),
    ("ld_impl_linux-64", "2.36.1", "hea4e1c9_2", "linux-64", [], None),
    ("libffi", "3.4.2", "h7f98852_5", "linux-64", ["libgcc-ng >=9.4.0"], None),
    ("libnsl", "2.0.0", "h7f98852_0", "linux-64", ["libgcc-ng >=9.4.0"], None),
    ("libuuid", "2.32.1", "h7f98852_1000", "linux-64", ["libgcc-ng >=9.3.0"], None),
    ("ncurses", "6.3", "h27087fc_1", "linux-64", ["libgcc-ng >=10.3.0"], None),
    (
        "readline",
        "8.1.2",
        "h0f457ee_0",
        "linux-64",
        ["libgcc-ng >=12", "ncurses >=6.3,<7.0a0"],
        None,
    ),
    (
        "tk",
        "8.6.12",
        "h27826a3_0",
        "linux-64",
        ["libgcc-ng >=9.4.0", "libzlib >=1.2.11,<1.3.0a0"],
        None,
    ),
    ("tzdata", "2022a", "h191b570_0", "noarch", [], None),
    ("xz", "5.2.5", "h516909a_1", "linux-64", ["libgcc-ng >=7.5.0"], None),
    # Python packages
    (
        "absl-py",
        "1.2.0",
        "pyhd8ed1ab_0",
        "noarch",
        ["python >=3.6", "setuptools", "six"],
        "absl-py",
    ),
    (
        "astunparse",
        "1.6.3",
        "pyhd8ed1ab_0",
        "noarch",
        ["python >=3.6", "six >=1.6.1,<2.0", "wheel >=0.23.0,<1.0"],
        "astunparse",
    ),
    ("cachetools", "5.2.0", "pyhd8ed1ab_0", "noarch", ["python >=3.7"], "cachetools"),
    (
        "certifi",
        "2022.6.15",
        "py310hff52083_0",
        "linux-64",
        ["python >=3.10,<3.11.0a0", "python_abi 3.10.* *_cp310"],
        "certifi",
    ),
    (
        "charset-normalizer",
        "2.1.0",
        "pyhd8ed1ab_0",
        "noarch",
        ["python >=3.6"],
        "charset-normalizer",
    ),
    ("gast", "0.4.0", "pyh9f0ad1d_0", "noarch", ["python"], "gast"),
    (
        "google-auth",
        "2.9.1",
        "pyh6c4a22f_0",
        "noarch",
        [
            "cachetools >=2.0.0,<6.0",
            "pyasn1-modules >=0.2.1",
            "python >=3.6",
            "rsa >=3.1.4,<5",
            "six >=1.9.0",
        ],
        "google-auth",
    ),
    (
        "google-auth-oauthlib",
        "0.4.6",
        "pyhd8ed1ab_0",
        "noarch",
        ["google-auth >=1.0.0", "python >=3.6", "requests-oauthlib >=0.7.0"],
        "google-auth-oauthlib",
    ),
    ("google-pasta", "0.2.0", "pyh8c360ce_0", "noarch", ["python", "six"], "google-pasta"),
    (
        "grpcio",
        "1.46.3",
        "py310ha0b7d45_2",
        "linux-64",
        [
            "grpc-cpp 1.46.3 hc275bc2_2",
            "libgcc-ng >=12",
            "libstdcxx-ng >=12",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
            "six >=1.6.0",
        ],
        "grpcio",
    ),
    (
        "h5py",
        "3.7.0",
        "nompi_py310h06dffec_100",
        "linux-64",
        [
            "hdf5 >=1.12.1,<1.12.2.0a0",
            "libgcc-ng >=12",
            "numpy >=1.21.6,<2.0a0",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
            "unittest2",
        ],
        "h5py",
    ),
    ("unittest2", "1.1.0", "py_0", "noarch", ["python", "six >=1.4", "traceback2"], "unittest2"),
    ("traceback2", "1.4.0", "py_0", "noarch", ["linecache2", "python"], "traceback2"),
    ("linecache2", "1.0.0", "py_1", "noarch", ["python"], "linecache2"),
    ("idna", "3.3", "pyhd8ed1ab_0", "noarch", ["python >=3.6"], "idna"),
    (
        "keras-preprocessing",
        "1.1.2",
        "pyhd8ed1ab_0",
        "noarch",
        ["numpy >=1.9.1", "python >=3.6", "scipy >=0.14", "six >=1.9.0"],
        "keras-preprocessing",
    ),
    (
        "scipy",
        "1.9.0",
        "py310hdfbd76f_0",
        "linux-64",
        [
            "libblas >=3.9.0,<4.0a0",
            "libcblas >=3.9.0,<4.0a0",
            "libgcc-ng >=12",
            "liblapack >=3.9.0,<4.0a0",
            "libstdcxx-ng >=12",
            "numpy >=1.21.6,<2.0a0",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
        ],
        "scipy",
    ),
    ("markdown", "3.4.1", "pyhd8ed1ab_0", "noarch", ["python >=3.6"], "markdown"),
    (
        "markupsafe",
        "2.1.1",
        "py310h5764c6d_1",
        "linux-64",
        ["libgcc-ng >=10.3.0", "python >=3.10,<3.11.0a0", "python_abi 3.10.* *_cp310"],
        "markupsafe",
    ),
    ("oauthlib", "3.2.0", "pyhd8ed1ab_0", "noarch", ["python >=3.6"], "oauthlib"),
    (
        "opt_einsum",
        "3.3.0",
        "pyhd8ed1ab_1",
        "noarch",
        ["numpy >=1.7", "python >=3.6"],
        "opt-einsum",
    ),
    (
        "packaging",
        "21.3",
        "pyhd8ed1ab_0",
        "noarch",
        ["pyparsing >=2.0.2,!=3.0.5", "python >=3.6"],
        "packaging",
    ),
    ("pip", "22.2.2", "pyhd8ed1ab_0", "noarch", ["python >=3.7", "setuptools", "wheel"], "pip"),
    ("pyasn1", "0.4.8", "py_0", "noarch", ["python"], "pyasn1"),
    (
        "pyasn1-modules",
        "0.2.7",
        "py_0",
        "noarch",
        ["pyasn1 >=0.4.6,<0.5.0", "python"],
        "pyasn1-modules",
    ),
    ("pyparsing", "3.0.9", "pyhd8ed1ab_0", "noarch", ["python >=3.6"], "pyparsing"),
    ("python-flatbuffers", "1.12", "pyhd8ed1ab_1", "noarch", ["python >=3.6"], "flatbuffers"),
    (
        "requests",
        "2.28.1",
        "pyhd8ed1ab_0",
        "noarch",
        [
            "certifi >=2017.4.17",
            "charset-normalizer >=2,<3",
            "idna >=2.5,<4",
            "python >=3.7,<4.0",
            "urllib3 >=1.21.1,<1.27",
        ],
        "requests",
    ),
    (
        "requests-oauthlib",
        "1.3.1",
        "pyhd8ed1ab_0",
        "noarch",
        ["oauthlib >=3.0.0", "python >=3.4", "requests >=2.0.0"],
        "requests-oauthlib",
    ),
    ("rsa", "4.9", "pyhd8ed1ab_0", "noarch", ["pyasn1 >=0.1.3", "python >=3.6"], "rsa"),
    (
        "setuptools",
        "63.3.0",
        "py310hff52083_0",
        "linux-64",
        ["python >=3.10,<3.11.0a0", "python_abi 3.10.* *_cp310"],
        "setuptools",
    ),
    ("six", "1.16.0", "pyh6c4a22f_0", "noarch", ["python"], "six"),
    (
        "tensorboard-data-server",
        "0.6.0",
        "py310h597c629_2",
        "linux-64",
        [
            "libgcc-ng >=12",
            "openssl >=1.1.1o,<1.1.2a",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
        ],
        "tensorboard-data-server",
    ),
    (
        "tensorboard-plugin-wit",
        "1.8.1",
        "pyhd8ed1ab_0",
        "noarch",
        ["python >=3.6"],
        "tensorboard-plugin-wit",
    ),
    ("termcolor", "1.1.0", "pyhd8ed1ab_3", "noarch", ["python >=3.6"], "termcolor"),
    ("typing_extensions", "4.3.0", "pyha770c72_0", "noarch", ["python >=3.7"], "typing-extensions"),
    (
        "urllib3",
        "1.26.11",
        "pyhd8ed1ab_0",
        "noarch",
        [
            "brotlipy >=0.6.0",
            "certifi",
            "cryptography >=1.3.4",
            "idna >=2.0.0",
            "pyopenssl >=0.14",
            "pysocks >=1.5.6,<2.0,!=1.5.7",
            "python >=3.6",
        ],
        "urllib3",
    ),
    (
        "werkzeug",
        "2.2.1",
        "pyhd8ed1ab_0",
        "noarch",
        ["markupsafe >=2.1.1", "python >=3.7"],
        "werkzeug",
    ),
    ("wheel", "0.37.1", "pyhd8ed1ab_0", "noarch", ["python >=3.7"], "wheel"),
    (
        "wrapt",
        "1.14.1",
        "py310h5764c6d_0",
        "linux-64",
        ["libgcc-ng >=10.3.0", "python >=3.10,<3.11.0a0", "python_abi 3.10.* *_cp310"],
        "wrapt",
    ),
]
# urllib3's optional extras that conda-forge's recipe depends on
SYNTHESIZED += [
    (
        "brotlipy",
        "0.7.0",
        "py310h5764c6d_1004",
        "linux-64",
        [
            "cffi >=1.0.0",
            "libgcc-ng >=10.3.0",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
        ],
        "brotlipy",
    ),
    (
        "cffi",
        "1.15.1",
        "py310h255011f_0",
        "linux-64",
        [
            "libffi >=3.4.2,<3.5.0a0",
            "libgcc-ng >=12",
            "pycparser",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
        ],
        "cffi",
    ),
    ("pycparser", "2.21", "pyhd8ed1ab_0", "noarch", ["python 2.7.*|>=3.4"], "pycparser"),
    (
        "cryptography",
        "37.0.4",
        "py310h597c629_0",
        "linux-64",
        [
            "cffi >=1.12",
            "libgcc-ng >=12",
            "openssl >=1.1.1q,<1.1.2a",
            "python >=3.10,<3.11.0a0",
            "python_abi 3.10.* *_cp310",
        ],
        "cryptography",
    ),
    (
        "pyopenssl",
        "22.0.0",
        "pyhd8ed1ab_0",
        "noarch",
        ["cryptography >=35.0", "python >=3.6"],
        "pyopenssl",
    ),
    (
        "pysocks",
        "1.7.1",
        "py310hff52083_5",
        "linux-64",
        ["python >=3.10,<3.11.0a0", "python_abi 3.10.* *_cp310"],
        "pysocks",
    ),
]

# real records: conda name -> pypi name of the dist-info it ships
REAL_PYPI = {
    "tensorflow-base": ("tensorflow", "2.9.1"),
    "tensorflow-estimator": ("tensorflow-estimator", "2.9.0"),
    "keras": ("keras", "2.9.0"),
    "tensorboard": ("tensorboard", "2.9.0"),
    "numpy": ("numpy", "1.21.6"),
}
REQUESTED = {
    "tensorflow": "tensorflow=2.9.1",
    "python": "python=3.10",
    "cudatoolkit": "cudatoolkit=11.2",
}


class RangeFile(io.RawIOBase):
    """A seekable read-only view of a remote file, fetched with HTTP Range requests."""

    def __init__(self, url: str) -> None:
        self.url = url
        req = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(req, timeout=60) as resp:
            self.size = int(resp.headers["Content-Length"])
        self.pos = 0
        self.blocks: dict[int, bytes] = {}

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def read(self, n: int = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self.pos + n)
        if end <= self.pos:
            return b""
        req = urllib.request.Request(self.url, headers={"Range": f"bytes={self.pos}-{end - 1}"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            data: bytes = resp.read()
        self.pos += len(data)
        return data


def simple_files(name: str) -> list[dict[str, object]]:
    req = urllib.request.Request(
        f"{SIMPLE}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return list(json.load(resp)["files"])


def pick(
    files: list[dict[str, object]], name: str, version: str, sdist: bool = False
) -> tuple[str, str]:
    norm = name.replace("-", "_").lower()
    sdists = [
        f
        for f in files
        if str(f["filename"]).lower()
        in (f"{name.lower()}-{version}.tar.gz", f"{norm}-{version}.tar.gz")
    ]
    if sdist:
        return str(sdists[0]["url"]), str(sdists[0]["filename"])
    want = [
        f
        for f in files
        if str(f["filename"]).lower().startswith(f"{norm}-{version}-")
        or str(f["filename"]).lower().startswith(f"{name.lower()}-{version}-")
    ]
    order = [
        "py3-none-any",
        "py2.py3-none-any",
        "cp310-cp310-manylinux",
        "cp310-abi3-manylinux",
        "cp36-abi3-manylinux",
        "py3-none-manylinux",
        "cp37-abi3-manylinux",
    ]
    for tag in order:
        for f in want:
            fn = str(f["filename"])
            if fn.endswith(".whl") and tag in fn and ("manylinux" not in tag or "x86_64" in fn):
                return str(f["url"]), fn
    if sdists:
        return str(sdists[0]["url"]), str(sdists[0]["filename"])
    raise SystemExit(f"no file for {name} {version}")


def fetch_metadata(name: str, version: str, sdist: bool = False) -> dict[str, str]:
    url, fn = pick(simple_files(name), name, version, sdist)
    print(f"  {name} {version}: {fn}", file=sys.stderr)
    out: dict[str, str] = {"_file": fn}
    if fn.endswith(".whl"):
        with zipfile.ZipFile(RangeFile(url)) as zf:
            for info in zf.infolist():
                base = info.filename.split("/", 1)
                if (
                    len(base) == 2
                    and base[0].endswith(".dist-info")
                    and base[1] in ("METADATA", "RECORD", "top_level.txt")
                ):
                    out[base[1]] = zf.read(info).decode("utf-8")
    else:
        with urllib.request.urlopen(url, timeout=120) as resp:
            data = resp.read()
        with tarfile.open(fileobj=io.BytesIO(data)) as tf:
            for m in tf.getmembers():
                parts = m.name.split("/")
                if len(parts) == 2 and parts[1] == "PKG-INFO":
                    f = tf.extractfile(m)
                    assert f is not None
                    out["PKG-INFO"] = f.read().decode("utf-8")
                if (
                    len(parts) == 3
                    and parts[1].endswith(".egg-info")
                    and parts[2] == "top_level.txt"
                ):
                    f = tf.extractfile(m)
                    assert f is not None
                    out["top_level.txt"] = f.read().decode("utf-8")
    return out


def dist_dirname(pypi: str, version: str) -> str:
    return f"{pypi.replace('-', '_')}-{version}.dist-info"


def write_dist(out: Path, conda: str, pypi: str, version: str, meta: dict[str, str]) -> list[str]:
    """Write the dist-info, return its prefix-relative files."""
    dname = dist_dirname(pypi, version)
    d = out / SP / dname
    d.mkdir(parents=True)
    metadata = meta.get("METADATA") or meta["PKG-INFO"]
    (d / "METADATA").write_text(metadata)
    (d / "INSTALLER").write_text("conda\n")
    (d / "REQUESTED").write_text("")
    (d / "direct_url.json").write_text(
        json.dumps(
            {
                "dir_info": {},
                "url": f"file:///home/conda/feedstock_root/build_artifacts/{conda}_1658000000000/work",
            }
        )
        + "\n"
    )
    if "top_level.txt" in meta:
        (d / "top_level.txt").write_text(meta["top_level.txt"])
    record_lines = [ln for ln in meta.get("RECORD", "").splitlines() if ln.strip()]
    body = [ln for ln in record_lines if ".dist-info/" not in ln.split(",")[0]]
    if len(body) > MAX_RECORD:
        # keep every package __init__.py (import names) plus a prefix of the rest
        inits = [
            ln for ln in body if ln.split(",")[0].endswith("__init__.py") and ln.count("/") <= 2
        ]
        rest = [ln for ln in body if ln not in inits][: max(0, MAX_RECORD - len(inits))]
        body = sorted(set(inits + rest))
    if not body and "top_level.txt" in meta:
        body = [
            f"{t.strip()}/__init__.py,," for t in meta["top_level.txt"].splitlines() if t.strip()
        ]
    own = ["INSTALLER", "METADATA", "REQUESTED", "direct_url.json", "RECORD"] + (
        ["top_level.txt"] if "top_level.txt" in meta else []
    )
    lines = body + [f"{dname}/{f},," for f in own]
    (d / "RECORD").write_text("\n".join(lines) + "\n")
    files = [f"{SP}/{ln.split(',')[0]}" for ln in lines]
    for ln in body:  # the package files themselves, empty: pip and mixguard read only paths
        p = out / SP / ln.split(",")[0]
        if ".." in p.parts:
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        p.touch()
    return files


def conda_meta(out: Path, raw: dict[str, object], files: list[str], synthesized: bool) -> None:
    name, version, build, subdir = raw["name"], raw["version"], raw["build"], raw["subdir"]
    fn = f"{name}-{version}-{build}.tar.bz2"
    rec = dict(raw)
    rec.update(
        {
            "fn": fn,
            "url": f"{CF}/{subdir}/{fn}",
            "channel": f"{CF}/{subdir}",
            "files": sorted(files),
            "paths_data": {
                "paths": [{"_path": f, "path_type": "hardlink"} for f in sorted(files)],
                "paths_version": 1,
            },
            "requested_spec": REQUESTED.get(str(name)),
            "link": {"source": f"/opt/conda/pkgs/{name}-{version}-{build}", "type": 1},
        }
    )
    rec.setdefault("depends", [])
    rec.setdefault(
        "build_number",
        int(str(build).rsplit("_", 1)[-1]) if str(build).rsplit("_", 1)[-1].isdigit() else 0,
    )
    if synthesized:
        rec["_fixture"] = "synthesized"
    (out / "conda-meta" / f"{name}-{version}-{build}.json").write_text(
        json.dumps(rec, indent=1, sort_keys=True) + "\n"
    )


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    if out.exists():
        shutil.rmtree(out)
    (out / "conda-meta").mkdir(parents=True)
    real = json.loads(UPSTREAM.read_text())["records"]
    real = [
        r
        for r in real
        if r["index"]["name"] != "pytorch" and not r["index"]["build"].startswith("cpu_")
    ]
    for r in real:
        idx = dict(r["index"])
        name = idx["name"]
        files: list[str] = []
        if name in REAL_PYPI:
            pypi, version = REAL_PYPI[name]
            files = write_dist(out, name, pypi, version, fetch_metadata(pypi, version))
        elif name == "protobuf":
            meta = fetch_metadata("protobuf", "3.20.1", sdist=True)
            egg = out / SP / "protobuf-3.20.1-py3.10.egg-info"
            egg.mkdir(parents=True)
            (egg / "PKG-INFO").write_text(meta["PKG-INFO"])
            (out / SP / "protobuf-3.20.1-py3.10-nspkg.pth").write_text("import sys, types, os;\n")
            (out / SP / "google" / "protobuf").mkdir(parents=True)
            (out / SP / "google" / "protobuf" / "__init__.py").touch()
            files = [
                f"{SP}/protobuf-3.20.1-py3.10.egg-info/PKG-INFO",
                f"{SP}/protobuf-3.20.1-py3.10-nspkg.pth",
                f"{SP}/google/protobuf/__init__.py",
            ]
        elif name == "cudatoolkit":
            files = [f for f in r.get("files", []) if f.startswith("lib/")][:60]
        elif name == "cudnn":
            files = [f for f in r.get("files", []) if f.startswith(("lib/", "include/"))][:20]
        elif name == "python":
            files = ["bin/python3.10", "lib/python3.10/os.py"]
        conda_meta(out, idx, files, synthesized=False)
    for name, version, build, subdir, depends, pypi in SYNTHESIZED:
        raw: dict[str, object] = {
            "name": name,
            "version": version,
            "build": build,
            "subdir": subdir,
            "depends": depends,
            "license": "see upstream",
            "timestamp": 1658000000000,
        }
        if subdir == "noarch":
            raw["noarch"] = "python" if pypi else "generic"
        files = write_dist(out, name, pypi, version, fetch_metadata(pypi, version)) if pypi else []
        conda_meta(out, raw, files, synthesized=True)
    (out / "conda-meta" / "history").write_text(
        "==> 2022-08-01 12:00:00 <==\n# cmd: /opt/conda/bin/conda create -p /opt/envs/tf29 "
        "python=3.10 tensorflow=2.9.1 cudatoolkit=11.2\n# conda version: 4.13.0\n"
        + "".join(
            f"+conda-forge/{p.stem.rsplit('-', 2)[0] and ''}::{p.stem}\n".replace("/::", "::")
            for p in sorted((out / "conda-meta").glob("*.json"))
        )
        + "# update specs: ['python=3.10', 'tensorflow=2.9.1', 'cudatoolkit=11.2']\n"
    )
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
