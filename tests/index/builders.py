"""Build real (small) wheels and sdists for the index tests."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile


def metadata_text(
    name: str,
    version: str,
    requires: list[str] | None = None,
    requires_python: str | None = None,
    metadata_version: str = "2.1",
    dynamic: list[str] | None = None,
    extras: list[str] | None = None,
) -> str:
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Provides-Extra: {e}" for e in extras or []]
    lines += [f"Requires-Dist: {r}" for r in requires or []]
    lines += [f"Dynamic: {d}" for d in dynamic or []]
    return "\n".join(lines) + "\n\n"


def wheel(
    name: str,
    version: str,
    requires: list[str] | None = None,
    *,
    tag: str = "py3-none-any",
    requires_python: str | None = None,
    metadata: str | None = None,
    padding: int = 0,
    include_metadata: bool = True,
    extras: list[str] | None = None,
) -> tuple[str, bytes]:
    """A valid wheel; ``padding`` adds a stored file of that many bytes before the metadata."""
    dist = f"{name.replace('-', '_')}-{version}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name.replace('-', '_')}/__init__.py", "")
        if padding:
            zf.writestr(zipfile.ZipInfo(f"{name.replace('-', '_')}/blob.bin"), b"x" * padding)
        if include_metadata:
            zf.writestr(
                f"{dist}.dist-info/METADATA",
                metadata or metadata_text(name, version, requires, requires_python, extras=extras),
            )
        zf.writestr(
            f"{dist}.dist-info/WHEEL",
            f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n",
        )
        record = (
            "".join(f"{i.filename},,\n" for i in zf.infolist()) + f"{dist}.dist-info/RECORD,,\n"
        )
        zf.writestr(f"{dist}.dist-info/RECORD", record)
    return f"{dist}-{tag}.whl", buf.getvalue()


def sdist(name: str, version: str, pkg_info: str | None) -> tuple[str, bytes]:
    base = f"{name.replace('-', '_')}-{version}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        files = {f"{base}/setup.py": b"from setuptools import setup; setup()\n"}
        if pkg_info is not None:
            files[f"{base}/PKG-INFO"] = pkg_info.encode()
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return f"{base}.tar.gz", buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
