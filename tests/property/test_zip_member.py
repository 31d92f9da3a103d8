"""``index._zip.read_member`` gives zipfile's answer, or says it cannot (DOUBT): never another.

The archives are written by zipfile itself: members named like a wheel's (the .dist-info's
own METADATA and RECORD, deeper paths with the same ending, several .dist-info directories),
stored or deflated, with or without an archive comment, sometimes forced to ZIP64 or with
bytes in front. Plain wheels (the common case) must take the fast path, or the test would
pass with a module that always doubts.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixguard.index._zip import DOUBT, MISSING, read_member

_NAMES = [
    "pkg-1.0.dist-info/METADATA",
    "pkg-1.0.dist-info/RECORD",
    "other-2.dist-info/METADATA",
    "pkg/sub.dist-info/METADATA",
    "pkg/__init__.py",
    "pkg/data/METADATA",
    "pkg-1.0.data/purelib/x.dist-info/RECORD",
    "caf\u00e9-1.0.dist-info/METADATA",
]


def _expected(data: bytes, suffix: str) -> bytes | str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        hits = [
            i for i in zf.infolist() if i.filename.count("/") == 1 and i.filename.endswith(suffix)
        ]
        return zf.read(hits[0]) if hits else MISSING


@st.composite
def archives(draw: st.DrawFn) -> tuple[bytes, bool]:
    """(archive bytes, whether it is a plain one: no comment, no ZIP64, nothing in front)."""
    members = draw(
        st.lists(
            st.tuples(st.sampled_from(_NAMES), st.binary(max_size=300), st.booleans()),
            min_size=1,
            max_size=6,
        )
    )
    comment = draw(st.sampled_from([b"", b"", b"a comment"]))
    zip64 = draw(st.booleans()) and draw(st.booleans())
    prefix = draw(st.sampled_from([b"", b"", b"", b"#!/bin/sh\n"]))
    buf = io.BytesIO()
    buf.write(prefix)
    seen: set[str] = set()
    with zipfile.ZipFile(buf, "a" if prefix else "w") as zf:
        for name, body, deflate in members:
            if name in seen:
                continue  # zipfile warns on duplicates; a wheel has none
            seen.add(name)
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=zip64) as fh:
                fh.write(body)
        zf.comment = comment
    return buf.getvalue(), not (comment or zip64 or prefix)


@settings(max_examples=300, deadline=None)
@given(archives(), st.sampled_from([".dist-info/METADATA", ".dist-info/RECORD"]))
def test_read_member_is_zipfiles_answer_or_doubt(archive: tuple[bytes, bool], suffix: str) -> None:
    data, plain = archive
    got = read_member(io.BytesIO(data), len(data), suffix, 1 << 20)
    if got == DOUBT:
        assert not plain, "a plain archive must be read without zipfile"
        return
    assert got == _expected(data, suffix)


def test_a_real_wheel_member_and_bounds() -> None:
    from ..index.builders import wheel

    _, data = wheel("demo", "1.0", ["six>=1"])
    meta = read_member(io.BytesIO(data), len(data), ".dist-info/METADATA", 1 << 20)
    assert isinstance(meta, bytes) and b"Requires-Dist: six>=1" in meta
    # over the caller's bound: zipfile reads it (and the caller's bound speaks there)
    assert read_member(io.BytesIO(data), len(data), ".dist-info/METADATA", 4) == DOUBT
    # a corrupted member (its CRC no longer matches): zipfile's error, not ours
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("demo-1.0.dist-info/METADATA", b"Name: demo\nVersion: 1.0\n")
    bad = bytearray(buf.getvalue())
    bad[bytes(bad).index(b"Name: demo")] ^= 0x20
    assert read_member(io.BytesIO(bytes(bad)), len(bad), ".dist-info/METADATA", 1 << 20) == DOUBT
    with pytest.raises(zipfile.BadZipFile):
        _expected(bytes(bad), ".dist-info/METADATA")
