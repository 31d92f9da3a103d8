"""Real-shaped conda environments for the parity cases, built into a venv of the target python.

Every environment is a venv (``--without-pip``) whose root is also a conda prefix: conda-meta
records plus ``.dist-info``/``.egg-info`` carrying real PyPI METADATA, INSTALLER ``conda``,
with and without RECORD. Real pip (run from its wheel inside the venv) and mixguard (reading the
prefix) both look at the same directory.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from mixguard.demo import demo_prefix

ROOT = Path(__file__).parent
UNIVERSES = ROOT / "universes"
UPSTREAM = ROOT.parent / "data" / "upstream"


def _meta_from_universe(universe: str, project: str, version: str) -> str:
    d = UNIVERSES / universe / "simple" / project
    for f in sorted(d.glob("*.metadata")):
        if f"-{version}-" in f.name or f.name.endswith(f"-{version}.tar.gz.metadata"):
            return f.read_text()
    raise FileNotFoundError(f"{project} {version} not in universe {universe}")


def _dist_info(
    site: Path,
    name: str,
    version: str,
    metadata: str,
    *,
    record: bool = True,
    top_level: str | None = None,
) -> list[str]:
    d = site / f"{name.replace('-', '_')}-{version}.dist-info"
    d.mkdir(parents=True)
    (d / "METADATA").write_text(metadata)
    (d / "INSTALLER").write_text("conda\n")
    files = ["METADATA", "INSTALLER"]
    pkg = top_level or name.replace("-", "_").lower()
    (site / pkg).mkdir(exist_ok=True)
    (site / pkg / "__init__.py").touch()
    if record:
        (d / "RECORD").write_text(
            f"{pkg}/__init__.py,,\n" + "".join(f"{d.name}/{f},,\n" for f in [*files, "RECORD"])
        )
        files.append("RECORD")
    rel = site.relative_to(site.parents[2])  # lib/pythonX.Y/site-packages
    return [f"{rel}/{d.name}/{f}" for f in files] + [f"{rel}/{pkg}/__init__.py"]


def _record(
    prefix: Path,
    name: str,
    version: str,
    build: str,
    subdir: str,
    depends: list[str],
    files: list[str],
    channel: str = "https://conda.anaconda.org/conda-forge",
) -> None:
    rec = {
        "name": name,
        "version": version,
        "build": build,
        "build_number": 0,
        "subdir": subdir,
        "depends": depends,
        "files": files,
        "channel": f"{channel}/{subdir}",
        "url": f"{channel}/{subdir}/{name}-{version}-{build}.tar.bz2",
        "fn": f"{name}-{version}-{build}.tar.bz2",
    }
    (prefix / "conda-meta").mkdir(exist_ok=True)
    (prefix / "conda-meta" / f"{name}-{version}-{build}.json").write_text(json.dumps(rec, indent=1))


def _python_record(prefix: Path, version: str) -> None:
    short = ".".join(version.split(".")[:2])
    _record(prefix, "python", version, "h0000000_0_cpython", "linux-64", [], [f"bin/python{short}"])


def demo_with_fake_python(tmp_path: Path) -> Path:
    """A writable copy of the demo prefix with a fake ``bin/python`` that records how it was
    called (in ``tmp_path/called``) instead of installing anything."""
    import stat

    dest = tmp_path / "env"
    shutil.copytree(demo_prefix(), dest)
    python = dest / "bin" / "python"
    python.parent.mkdir()
    python.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/called"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return dest


def pyenv_interpreter(short: str) -> Path:
    """pyenv's ``python<short>``; CI must have it, elsewhere its absence skips the test."""
    import os

    import pytest

    found = sorted(Path.home().glob(f".pyenv/versions/{short}.*/bin/python{short}"))
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"python {short} is needed here (pyenv)")
        pytest.skip(f"python {short} not installed")
    return found[-1]


def make_venv(interpreter: Path, dest: Path) -> Path:
    subprocess.run([str(interpreter), "-m", "venv", "--without-pip", str(dest)], check=True)
    (site,) = (dest / "lib").glob("python*/site-packages")
    return site


def interpreter_version(interpreter: Path) -> str:
    return subprocess.run(
        [str(interpreter), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def build_tf29(dest: Path, interpreter: Path) -> None:
    """The demo TF 2.9 / CUDA 11.2 prefix (python record set to the venv's interpreter)."""
    site = make_venv(interpreter, dest)
    demo = demo_prefix()
    shutil.copytree(demo / "lib" / "python3.10" / "site-packages", site, dirs_exist_ok=True)
    shutil.copytree(demo / "conda-meta", dest / "conda-meta", dirs_exist_ok=True)
    py = next((dest / "conda-meta").glob("python-3.10.5-*.json"))
    rec = json.loads(py.read_text())
    rec["version"] = interpreter_version(interpreter)
    py.unlink()
    (dest / "conda-meta" / f"python-{rec['version']}-{rec['build']}.json").write_text(
        json.dumps(rec, indent=1)
    )


SMALL = ["requests", "urllib3", "idna", "certifi", "charset-normalizer"]


def build_small(dest: Path, interpreter: Path) -> None:
    """python + requests 2.28.1 / urllib3 1.26.11 / idna / certifi / charset-normalizer from
    conda-forge, their dist-infos copied from the demo (real PyPI METADATA)."""
    site = make_venv(interpreter, dest)
    version = interpreter_version(interpreter)
    short = ".".join(version.split(".")[:2])
    _python_record(dest, version)
    demo_site = demo_prefix() / "lib" / "python3.10" / "site-packages"
    for meta in sorted((demo_prefix() / "conda-meta").glob("*.json")):
        rec = json.loads(meta.read_text())
        if rec["name"] not in SMALL:
            continue
        files = [f.replace("python3.10", f"python{short}") for f in rec["files"]]
        for f in rec["files"]:
            src = demo_prefix() / f
            dst = dest / f.replace("python3.10", f"python{short}")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_file():
                shutil.copy2(src, dst)
        rec["files"] = files
        rec.pop("paths_data", None)
        rec["subdir"] = "noarch"
        (dest / "conda-meta" / meta.name).write_text(json.dumps(rec, indent=1))
    assert demo_site.is_dir() and site.is_dir()


def build_empty(dest: Path, interpreter: Path) -> None:
    make_venv(interpreter, dest)
    _python_record(dest, interpreter_version(interpreter))


def build_torch(dest: Path, interpreter: Path) -> None:
    """A pytorch-channel env: conda ``pytorch 2.1.0`` (the real pytorch-channel record) with its
    ``torch-2.1.0.dist-info``, and its Python dependencies as conda-forge packages.

    The torch METADATA is PyPI's for 2.1.0 without the ``nvidia-*`` lines: torch's setup.py adds
    those only for PyPI builds (``PYTORCH_EXTRA_INSTALL_REQUIREMENTS``), so a conda build's
    METADATA does not have them."""
    site = make_venv(interpreter, dest)
    version = interpreter_version(interpreter)
    _python_record(dest, version)
    repodata = json.loads(
        (UPSTREAM / "rattler" / "channels" / "pytorch" / "linux-64" / "repodata.json").read_text()
    )
    torch_rec = next(
        r
        for r in repodata["packages"].values()
        if r["name"] == "pytorch"
        and r["version"] == "2.1.0"
        and r["build"].startswith("py3.11_cuda12.1")
    )
    meta = _meta_from_universe("torch", "torch", "2.1.0")
    meta = "".join(
        line
        for line in meta.splitlines(keepends=True)
        if not re.match(r"Requires-Dist: nvidia-", line)
        and not line.startswith("Requires-Dist: triton")
    )
    files = _dist_info(site, "torch", "2.1.0", meta)
    _record(
        dest,
        "pytorch",
        "2.1.0",
        torch_rec["build"],
        "linux-64",
        torch_rec["depends"],
        files,
        channel="https://conda.anaconda.org/pytorch",
    )
    deps = {
        "filelock": "3.13.1",
        "typing-extensions": "4.9.0",
        "sympy": "1.12",
        "networkx": "3.2.1",
        "jinja2": "3.1.3",
        "fsspec": "2023.12.2",
        "markupsafe": "2.1.4",
        "mpmath": "1.3.0",
    }
    conda_names = {"typing-extensions": "typing_extensions"}
    for name, ver in deps.items():
        text = _meta_from_universe("torch", name, ver)
        files = _dist_info(site, name, ver, text)
        _record(
            dest,
            conda_names.get(name, name),
            ver,
            "pyhd8ed1ab_0",
            "noarch",
            ["python >=3.8"],
            files,
        )


def build_plain(dest: Path, interpreter: Path) -> None:
    """A prefix that is not a virtual environment, as a conda env is not: a copy of the
    interpreter binary with the standard library linked in (``sys.prefix == sys.base_prefix``:
    pip's PEP 668 and --require-virtualenv checks apply), nothing installed."""
    version = interpreter_version(interpreter)
    short = ".".join(version.split(".")[:2])
    (dest / "bin").mkdir(parents=True)
    shutil.copy2(interpreter, dest / "bin" / f"python{short}")
    (dest / "bin" / "python").symlink_to(f"python{short}")
    stdlib = dest / "lib" / f"python{short}"
    stdlib.mkdir(parents=True)
    for entry in (interpreter.parents[1] / "lib" / f"python{short}").iterdir():
        if entry.name != "site-packages":
            (stdlib / entry.name).symlink_to(entry)
    (stdlib / "site-packages").mkdir()
    _python_record(dest, version)


def build_managed(dest: Path, interpreter: Path) -> None:
    """``build_plain`` with PEP 668's ``EXTERNALLY-MANAGED`` marker in its standard library."""
    build_plain(dest, interpreter)
    (stdlib,) = (dest / "lib").glob("python3*")
    (stdlib / "EXTERNALLY-MANAGED").write_text(
        "[externally-managed]\nError=this environment is managed by conda: use conda install\n"
    )


BUILDERS = {
    "tf29": build_tf29,
    "small": build_small,
    "empty": build_empty,
    "torch": build_torch,
    "plain": build_plain,
    "managed": build_managed,
}
