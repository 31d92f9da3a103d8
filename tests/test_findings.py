"""Scenario tests: the exact findings for each acceptance scenario, not just their count."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pytest

from mixguard.demo import demo_prefix
from mixguard.environment import Environment, read_prefix
from mixguard.environment.host import HostFacts
from mixguard.findings import Finding, analyze
from mixguard.graph import build_graph
from mixguard.index.client import IndexClient
from mixguard.plan import InstallPlan
from mixguard.resolve import parse_pip_args, resolve

from .cases.envs import UNIVERSES, build_torch

TF29 = (UNIVERSES / "tf29" / "simple").as_uri()


def _check(
    prefix: Path,
    args: list[str],
    index: str = TF29,
    cuda: str | None = "11.2",
    host: HostFacts | Literal["detect"] | None = "detect",
) -> tuple[Environment, InstallPlan, tuple[Finding, ...]]:
    env = read_prefix(prefix, overrides={"cuda": cuda} if cuda else None, environ={}, host=host)
    req = parse_pip_args([*args, "--index-url", index])
    plan = resolve(env, req, IndexClient(req.index, offline=True))
    return env, plan, analyze(env, plan)


def _triples(
    findings: Iterable[Finding], severities: tuple[str, ...] = ("error", "warning")
) -> set[tuple[str, str, str]]:
    return {(f.kind, f.severity, f.subject) for f in findings if f.severity in severities}


def test_sentence_transformers_cuda_clash_and_override() -> None:
    _, _, findings = _check(demo_prefix(), ["sentence-transformers"])
    assert _triples(findings) == {
        ("cuda-runtime-clash", "error", "nvidia-cuda-runtime-cu12"),
        ("cuda-runtime-clash", "warning", "nvidia-cudnn-cu12"),  # libcudnn.so.8 from both
        ("cuda-runtime-clash", "warning", "nvidia-nccl-cu12"),  # libnccl.so.2 from both
        ("conda-override", "warning", "typing-extensions"),
        ("conda-metadata-loss", "warning", "typing_extensions"),
        ("unknown-metadata", "warning", "RECORD"),  # the snapshot has no wheels: unproven
    }
    clash = next(f for f in findings if f.kind == "cuda-runtime-clash" and f.severity == "error")
    assert "cudatoolkit 11.2.2" in clash.message and "__cuda is 11.2" in clash.message
    assert clash.evidence["pip_runtime"] == "12" and clash.evidence["min_driver_cuda"] == "12.0"
    assert clash.chain == (
        "sentence-transformers 3.0.1",
        "torch 2.3.1",
        "nvidia-cuda-runtime-cu12 12.1.105",
    )
    override = next(f for f in findings if f.kind == "conda-override")
    assert override.evidence["conda_record"] == "typing_extensions 4.3.0 pyha770c72_0"


def test_cuda_clash_without_a_driver_fact_is_a_warning_not_safe() -> None:
    # a described node (no host facts) whose driver nobody gave: unknown, said so
    _, _, findings = _check(demo_prefix(), ["sentence-transformers"], cuda=None, host=None)
    clash = [
        f
        for f in findings
        if f.kind == "cuda-runtime-clash" and f.subject == "nvidia-cuda-runtime-cu12"
    ]
    assert clash[0].severity == "warning" and "driver is unknown" in clash[0].message
    # resting on an unknown fact, the check does not pass
    from mixguard.report import Report

    env = read_prefix(demo_prefix(), environ={}, host=None)
    report = Report(env, tuple(findings))
    assert any("__cuda not given" in u for u in report.unproven) and report.fails("error")


def test_cuda_clash_on_a_machine_without_a_driver_says_so() -> None:
    from mixguard.environment.host import HostFacts

    host = HostFacts(subdir="linux-64", glibc="2.36")
    env = read_prefix(
        demo_prefix(), environ={}, host=host, cuda_probe=lambda: (None, "no NVIDIA driver found")
    )
    req = parse_pip_args(["sentence-transformers", "--index-url", TF29])
    findings = analyze(env, resolve(env, req, IndexClient(req.index, offline=True)))
    clash = next(f for f in findings if f.subject == "nvidia-cuda-runtime-cu12")
    assert "no NVIDIA driver on the target (detected: no NVIDIA driver found)" in clash.message


def test_protobuf4_partial_uninstall_and_protobuf_pins() -> None:
    _, _, findings = _check(demo_prefix(), ["protobuf>=4"])
    assert _triples(findings) == {
        ("partial-uninstall", "warning", "protobuf"),
        # conda's records go stale (warnings): the libprotobuf coupling and its pins
        ("conda-constraint-violation", "warning", "protobuf"),  # couples to libprotobuf 3.20.1.*
        ("conda-constraint-violation", "warning", "tensorflow-base"),  # pins libprotobuf <3.21
        ("conda-constraint-violation", "warning", "grpc-cpp"),  # pins libprotobuf <3.21
        # what fails at run time (errors): tensorflow's METADATA, and the known breakage
        ("pip-requirement-violation", "error", "tensorflow"),  # protobuf<3.20
        ("known-incompatibility", "error", "tensorflow"),  # Descriptors cannot be created
        ("conda-override", "warning", "protobuf"),
        ("conda-metadata-loss", "warning", "protobuf"),
        ("unknown-metadata", "warning", "RECORD"),
    }
    known = next(f for f in findings if f.kind == "known-incompatibility")
    assert "Descriptors cannot be created directly" in known.message
    assert known.evidence["id"] == "tensorflow-2.10-protobuf-4" and known.evidence["sources"]
    # pip 25.3 removes the RECORD-less egg-info directory, and (top_level.txt "google" being a
    # namespace) nothing else: conda's package files and the -nspkg.pth stay behind
    partial = next(f for f in findings if f.kind == "partial-uninstall")
    assert partial.evidence["kind"] == "egg-info" and not partial.evidence["has_record"]
    left = partial.evidence["left"]
    assert any(p.endswith("-nspkg.pth") for p in left)
    assert any("/google/protobuf/" in p for p in left)


def test_numpy2_constraint_violation_and_abi() -> None:
    _, _, findings = _check(demo_prefix(), ["numpy>=2"])
    triples = _triples(findings)
    # compiled conda packages pinned to numpy 1.x: errors both as a broken pin and at import
    assert ("conda-constraint-violation", "error", "tensorflow-base") in triples
    assert {s for k, sev, s in triples if k == "known-incompatibility"} == {
        "tensorflow-base",
        "h5py",
        "scipy",
    }
    abi = next(f for f in findings if f.kind == "known-incompatibility" and f.subject == "scipy")
    assert abi.evidence["id"] == "numpy-2-abi" and "compiled using NumPy 1.x" in abi.message
    tfb = next(
        f
        for f in findings
        if f.kind == "conda-constraint-violation" and f.subject == "tensorflow-base"
    )
    assert tfb.evidence["spec"] == "numpy >=1.21.6,<2.0a0" and tfb.evidence["found"] == "2.0.0"
    assert tfb.evidence["mapping"] == "files" and tfb.confidence == "high"


def test_tensorflow_2_15_override_keras_constraint_and_metadata_loss() -> None:
    _, _, findings = _check(demo_prefix(), ["tensorflow==2.15.1"])
    triples = _triples(findings)
    assert ("conda-override", "warning", "tensorflow") in triples
    override = next(f for f in findings if f.kind == "conda-override" and f.subject == "tensorflow")
    assert override.evidence["conda_record"] == "tensorflow-base 2.9.1 cuda112py310hc65a3b4_0"
    keras = next(
        f for f in findings if f.kind == "conda-constraint-violation" and f.subject == "keras"
    )
    assert keras.evidence["spec"] == "tensorflow 2.9.*" and keras.evidence["found"] == "2.15.1"
    assert keras.evidence["field"] == "constrains[0]" and keras.evidence["mapping"] == "table"
    assert ("conda-metadata-loss", "warning", "tensorflow-base") in triples


def _with_py_opencv(tmp_path: Path) -> Path:
    prefix = tmp_path / "env"
    shutil.copytree(demo_prefix(), prefix)
    site = prefix / "lib" / "python3.10" / "site-packages"
    (site / "cv2").mkdir()
    (site / "cv2" / "__init__.py").touch()
    # conda-forge's py-opencv installs cv2/ with no .dist-info: pip cannot see it
    rec = {
        "name": "py-opencv",
        "version": "4.6.0",
        "build": "py310hfdc917e_2",
        "build_number": 2,
        "subdir": "linux-64",
        "depends": ["libopencv 4.6.0 py310h1f8fd3c_2", "numpy >=1.21.6,<2.0a0"],
        "files": ["lib/python3.10/site-packages/cv2/__init__.py"],
        "channel": "https://conda.anaconda.org/conda-forge/linux-64",
    }
    (prefix / "conda-meta" / "py-opencv-4.6.0-py310hfdc917e_2.json").write_text(json.dumps(rec))
    return prefix


def test_opencv_wheel_over_conda_py_opencv_collides_on_cv2(tmp_path: Path) -> None:
    _, plan, findings = _check(_with_py_opencv(tmp_path), ["opencv-python-headless"])
    assert [c.name for c in plan.installs] == ["opencv-python-headless"]  # pip sees no opencv dist
    (collision,) = [f for f in findings if f.kind == "import-collision"]
    assert (collision.severity, collision.subject) == ("error", "cv2")
    assert collision.evidence["existing"] == ["conda:py-opencv"]
    assert collision.evidence["new"] == "opencv-python-headless 4.10.0.84"


def test_negative_control_torch_already_installed(tmp_path: Path) -> None:
    py311 = sorted(Path.home().glob(".pyenv/versions/3.11.*/bin/python3.11"))
    if not py311:
        pytest.skip("python 3.11 not installed")
    build_torch(tmp_path / "env", py311[-1])
    _, plan, findings = _check(
        tmp_path / "env", ["torch==2.1.0"], index=(UNIVERSES / "torch" / "simple").as_uri()
    )
    assert plan.installs == ()
    assert not [f for f in findings if f.severity == "error"]


def test_negative_control_pure_python_leaf() -> None:
    _, plan, findings = _check(demo_prefix(), ["filelock"])
    assert [(c.name, c.action) for c in plan.installs] == [("filelock", "install")]
    assert not [f for f in findings if f.severity == "error"]
    # the only warning: what could not be checked is said, not assumed safe
    assert [(f.kind, f.subject) for f in findings if f.severity == "warning"] == [
        ("unknown-metadata", "RECORD")
    ]
    # what could not be checked is said, not assumed safe
    assert any(
        f.kind == "unknown-metadata" and "file-clobber is unproven" in f.message for f in findings
    )


def test_graph_path_from_request_to_the_clashing_wheel() -> None:
    env, plan, _ = _check(demo_prefix(), ["sentence-transformers"])
    g = build_graph(env, plan)
    assert g.why("sentence-transformers", "nvidia-cuda-runtime-cu12") == [
        ["pypi:sentence-transformers", "pypi:torch", "pypi:nvidia-cuda-runtime-cu12"]
    ]
    assert "pypi:sentence-transformers" in g.who_needs("torch")
    assert "pypi:typing-extensions" in g.blast_radius()
    assert "digraph mixguard" in g.to_dot() and "<graphml" in g.to_graphml()
    data = g.to_json()
    assert any(e["type"] == "provides" for e in data["edges"])


def test_file_clobber_and_imports_from_the_wheel_record(tmp_path: Path) -> None:
    # a universe whose wheel writes into cv2/, which conda's py-opencv owns
    from mixguard.findings.analyze import records_from
    from mixguard.index.client import IndexConfig

    from .index.builders import wheel

    prefix = _with_py_opencv(tmp_path)
    links = tmp_path / "links"
    links.mkdir()
    fn, data = wheel("opencv-python-headless", "4.10.0.84")
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.endswith("RECORD"):
                body = b"cv2/__init__.py,,\nopencv_python_headless-4.10.0.84.dist-info/METADATA,,\n"
            dst.writestr(item, body)
    (links / fn).write_bytes(buf.getvalue())
    empty = tmp_path / "empty"
    empty.mkdir()
    env = read_prefix(prefix, environ={})
    client = IndexClient(
        IndexConfig(index_url=empty.as_uri(), find_links=(str(links),)), offline=True
    )
    req = parse_pip_args(
        ["opencv-python-headless", "--index-url", empty.as_uri(), "-f", str(links)]
    )
    plan = resolve(env, req, client)
    findings = analyze(env, plan, record_paths=records_from(client))
    (clobber,) = [f for f in findings if f.kind == "file-clobber"]
    assert clobber.evidence["conda_record"] == "py-opencv"
    assert clobber.evidence["files"] == ["lib/python3.10/site-packages/cv2/__init__.py"]
    (collision,) = [f for f in findings if f.kind == "import-collision"]
    assert collision.evidence["source"] == "RECORD" and collision.confidence == "high"
    assert not [f for f in findings if f.kind == "unknown-metadata" and "RECORD" in f.subject]


def _torch_env(tmp_path: Path, build: str | None = None) -> Path:
    py311 = sorted(Path.home().glob(".pyenv/versions/3.11.*/bin/python3.11"))
    if not py311:
        pytest.skip("python 3.11 not installed")
    build_torch(tmp_path / "env", py311[-1])
    if build is not None:  # the same conda pytorch as another CUDA build
        (meta,) = (tmp_path / "env" / "conda-meta").glob("pytorch-*.json")
        rec = json.loads(meta.read_text())
        rec["build"] = build
        meta.write_text(json.dumps(rec))
    return tmp_path / "env"


TORCH = (UNIVERSES / "torch" / "simple").as_uri()


def test_pypi_torch_replacing_conda_pytorch_across_cuda_majors_is_an_error(
    tmp_path: Path,
) -> None:
    prefix = _torch_env(tmp_path, "py3.11_cuda11.8_cudnn8.7.0_0")
    _, plan, findings = _check(prefix, ["torchvision==0.17.0"], index=TORCH, cuda="12.4")
    assert ("torch", "upgrade") in {(c.name, c.action) for c in plan.installs}
    errors = _triples(findings, ("error",))
    assert ("cuda-runtime-clash", "error", "torch") in errors
    assert ("known-incompatibility", "error", "torchvision") in errors
    clash = next(f for f in findings if f.kind == "cuda-runtime-clash" and f.subject == "torch")
    assert clash.evidence["conda_runtime"] == "11" and clash.evidence["pip_runtimes"] == ["12"]
    known = next(f for f in findings if f.kind == "known-incompatibility")
    assert "compiled with different CUDA major versions" in known.message
    assert "cu118" in " ".join(known.remedies)


def test_same_cuda_major_replacement_is_no_clash_error(tmp_path: Path) -> None:
    # the negative control: conda's pytorch is a CUDA 12.1 build, PyPI's torch 2.2 is CUDA 12
    prefix = _torch_env(tmp_path)
    _, _, findings = _check(prefix, ["torchvision==0.17.0"], index=TORCH, cuda="12.4")
    assert not [f for f in findings if f.severity == "error" and "cuda" in f.kind]
    assert not [f for f in findings if f.kind == "known-incompatibility"]


def test_unsuffixed_cuda13_wheels_are_a_cuda_runtime() -> None:
    from mixguard.findings.cuda import pip_cuda_items

    items = pip_cuda_items(
        [
            ("nvidia-cuda-runtime", "13.0.96"),
            ("cuda-toolkit", "13.0.3"),
            ("cuda-bindings", "13.0.1"),
        ]
    )
    assert [(i.runtime, i.soname) for i in items] == [
        ("13", "libcudart.so.13"),
        ("13", None),
        ("13", None),
    ]


def test_noarch_metapackage_pin_is_a_warning_not_an_error(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    shutil.copytree(demo_prefix(), prefix)
    rec = {
        "name": "typing-extensions",
        "version": "4.3.0",
        "build": "hd8ed1ab_0",
        "build_number": 0,
        "subdir": "noarch",
        "noarch": "generic",
        "depends": ["typing_extensions ==4.3.0 pyha770c72_0"],
        "files": [],
        "channel": "https://conda.anaconda.org/conda-forge/noarch",
    }
    (prefix / "conda-meta" / "typing-extensions-4.3.0-hd8ed1ab_0.json").write_text(json.dumps(rec))
    _, _, findings = _check(prefix, ["typing-extensions==4.12.2"])
    pin = next(
        f
        for f in findings
        if f.kind == "conda-constraint-violation" and f.subject == "typing-extensions"
    )
    assert pin.severity == "warning"
    assert not [f for f in findings if f.severity == "error"]
