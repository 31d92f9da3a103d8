"""One member of a wheel, found without parsing its whole central directory.

``zipfile.ZipFile`` builds a ``ZipInfo`` for every entry: torch has tens of thousands, and a
cold check reads a dozen torch versions' METADATA by Range (half of its CPU went there). A
wheel's ``*.dist-info/METADATA`` or ``RECORD`` is found here with one ``bytes.find`` in the
central directory and a check of that one header. Anything this does not read with certainty
(ZIP64 fields, encryption, a method other than stored or deflate, a header that does not
verify, a CRC that does not match) answers :data:`DOUBT`, and the caller reads the archive
with ``zipfile`` as before: the answer is zipfile's either way, only faster when it can be.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final, Protocol

__all__ = ["DOUBT", "MISSING", "read_member"]

#: this module cannot read the archive with certainty: use zipfile
DOUBT: Final = "doubt"
#: no member of that name (zipfile would find none either)
MISSING: Final = "missing"

# the layouts of zipfile's structEndArchive, structCentralDir and structFileHeader
_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_EOCD_SIG, _CENTRAL_SIG, _LOCAL_SIG = b"PK\x05\x06", b"PK\x01\x02", b"PK\x03\x04"
_FULL = 0xFFFFFFFF  # a ZIP64 placeholder


class _Seekable(Protocol):
    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def read(self, n: int = -1, /) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class _Entry:
    offset: int
    compressed: int
    size: int
    method: int
    crc: int
    name_len: int


def _read(fh: _Seekable, offset: int, n: int) -> bytes:
    fh.seek(offset)
    data = fh.read(n) or b""
    return data


def _central_directory(fh: _Seekable, size: int) -> tuple[int, int] | None:
    """(offset, length) of the central directory, from an end record without a comment."""
    if size < _EOCD.size:
        return None
    tail = _read(fh, size - _EOCD.size, _EOCD.size)
    if len(tail) != _EOCD.size or not tail.startswith(_EOCD_SIG):
        return None  # a comment, or no end record where it belongs: zipfile searches
    _, disk, start_disk, here, total, cd_size, cd_offset, comment = _EOCD.unpack(tail)
    if disk or start_disk or here != total or comment or _FULL in (cd_size, cd_offset):
        return None
    if cd_offset + cd_size != size - _EOCD.size:
        return None  # data before the archive, or a ZIP64 end record between
    return cd_offset, cd_size


def _entry(cd: bytes, suffix: bytes) -> _Entry | str:
    """The first entry, in central-directory order, named ``<dir>/<...suffix>`` (one ``/``),
    as zipfile's ``infolist()`` would give it first."""
    at = cd.find(suffix)
    while at != -1:
        end = at + len(suffix)
        head = cd.rfind(_CENTRAL_SIG, 0, at)
        if head == -1 or end > len(cd) or head + _CENTRAL.size > at:
            return DOUBT
        fields = _CENTRAL.unpack_from(cd, head)
        flags, method, crc, compressed, size = (
            fields[5],
            fields[6],
            fields[9],
            fields[10],
            fields[11],
        )
        name_len, extra_len, comment_len, offset = fields[12], fields[13], fields[14], fields[18]
        if head + _CENTRAL.size + name_len != end:
            return DOUBT  # the bytes found are not where a name ends: read it all
        name = cd[head + _CENTRAL.size : end]
        if name.count(b"/") == 1:
            if flags & 0x1 or method not in (0, 8) or _FULL in (compressed, size, offset):
                return DOUBT
            return _Entry(offset, compressed, size, method, crc, name_len)
        # a deeper path (not the .dist-info's own): zipfile skips it too
        at = cd.find(suffix, head + _CENTRAL.size + name_len + extra_len + comment_len)
    return MISSING


def read_member(fh: _Seekable, size: int, suffix: str, max_bytes: int) -> bytes | str:
    """The uncompressed bytes of the first ``<dir>/<...suffix>`` member of the zip archive
    ``fh`` (``size`` bytes), :data:`MISSING`, or :data:`DOUBT`. ``max_bytes``: a member
    larger than this answers DOUBT (the caller's bound then speaks, as before)."""
    where = _central_directory(fh, size)
    if where is None:
        return DOUBT
    cd = _read(fh, *where)
    if len(cd) != where[1]:
        return DOUBT
    found = _entry(cd, suffix.encode())
    if isinstance(found, str):
        return found
    if found.size > max_bytes:
        return DOUBT
    # the local header's name and extra lengths may differ from the central directory's
    slack = 1024
    raw = _read(fh, found.offset, _LOCAL.size + found.name_len + slack + found.compressed)
    if len(raw) < _LOCAL.size or not raw.startswith(_LOCAL_SIG):
        return DOUBT
    fields = _LOCAL.unpack_from(raw)
    start = _LOCAL.size + fields[10] + fields[11]
    data = raw[start : start + found.compressed]
    if len(data) != found.compressed:
        return DOUBT
    if found.method == 8:
        inflate = zlib.decompressobj(-15)
        try:
            out = inflate.decompress(data, found.size + 1)
        except zlib.error:
            return DOUBT
    else:
        out = data
    if len(out) != found.size or zlib.crc32(out) != found.crc:
        return DOUBT
    return out
