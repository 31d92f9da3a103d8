"""Core metadata (METADATA / PKG-INFO text) into packaging's ``RawMetadata``: the one owner.

``packaging.metadata.parse_email`` reads the text with the standard library's email parser:
~0.4 ms a file and ~10 ms of imports (``email`` and its policies), which a warm check pays for
every installed distribution and every candidate it reads. Nearly every METADATA in the wild is
a plain header block (``Name: value`` lines, indented continuation lines) and a body, which
:func:`parse_metadata` reads directly, to packaging's own result. Anything else — a carriage
return that is not part of a CRLF, a line that is neither a header nor a continuation, MIME headers that make the email
parser look inside the body, surrogates — goes to ``parse_email``, as before. The two are held
equal by ``tests/property/test_core_metadata.py`` on every recorded METADATA and on generated
ones.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

__all__ = ["parse_metadata"]

# packaging.metadata's tables (the core metadata specification's fields), kept here so that the
# fast path does not import packaging.metadata, which imports the email package
_EMAIL_TO_RAW = {
    "author": "author",
    "author-email": "author_email",
    "classifier": "classifiers",
    "description": "description",
    "description-content-type": "description_content_type",
    "download-url": "download_url",
    "dynamic": "dynamic",
    "home-page": "home_page",
    "keywords": "keywords",
    "license": "license",
    "license-expression": "license_expression",
    "license-file": "license_files",
    "maintainer": "maintainer",
    "maintainer-email": "maintainer_email",
    "metadata-version": "metadata_version",
    "name": "name",
    "obsoletes": "obsoletes",
    "obsoletes-dist": "obsoletes_dist",
    "platform": "platforms",
    "project-url": "project_urls",
    "provides": "provides",
    "provides-dist": "provides_dist",
    "provides-extra": "provides_extra",
    "requires": "requires",
    "requires-dist": "requires_dist",
    "requires-external": "requires_external",
    "requires-python": "requires_python",
    "summary": "summary",
    "supported-platform": "supported_platforms",
    "version": "version",
}
_STRING_FIELDS = frozenset(
    {
        "author",
        "author_email",
        "description",
        "description_content_type",
        "download_url",
        "home_page",
        "license",
        "license_expression",
        "maintainer",
        "maintainer_email",
        "metadata_version",
        "name",
        "requires_python",
        "summary",
        "version",
    }
)
_LIST_FIELDS = frozenset(
    {
        "classifiers",
        "dynamic",
        "license_files",
        "obsoletes",
        "obsoletes_dist",
        "platforms",
        "provides",
        "provides_dist",
        "provides_extra",
        "requires",
        "requires_dist",
        "requires_external",
        "supported_platforms",
    }
)

# the email parser's header line (feedparser.headerRE, less its "From " and continuation
# branches, and with a non-empty name): anything else in the header block is a case for it
_HEADER = re.compile(r"([\041-\071\073-\176]+):")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_metadata(text: str) -> RawMetadata:
    """``packaging.metadata.parse_email(text)[0]``, read directly when the text is plain."""
    raw = _plain(text)
    if raw is None:
        from packaging.metadata import parse_email

        raw, _unparsed = parse_email(text)
    return raw


def _plain(text: str) -> RawMetadata | None:
    if not text.isascii() and _SURROGATE.search(text):
        return None
    crlf = "\r" in text
    if crlf and text.count("\r") != text.count("\r\n"):
        return None  # a lone carriage return: a line break to the email parser
    headers: dict[str, list[str]] = {}
    lines = text.split("\n")
    value: list[str] | None = None  # the header being read: its first line, continuations
    into: list[str] | None = None
    body = ""
    eol = end = "\n"  # the previous line's terminator, and this one's
    for i, line in enumerate(lines):
        eol, end = end, "\n"
        if crlf and line.endswith("\r"):
            line, end = line[:-1], "\r\n"
        if not line:
            if i == len(lines) - 1:  # the text ended with the header block's last newline
                break
            body = "\n".join(lines[i + 1 :])
            break
        if line[0] in " \t":
            if value is None:
                return None  # a continuation with nothing to continue
            value.append(eol + line)
            continue
        if value is not None and into is not None:
            into.append("".join(value))
        m = _HEADER.match(line)
        if m is None:
            return None  # the email parser takes this line as the body's start (a defect)
        name = m.group(1).lower()
        if name.startswith("content-") or name == "mime-version":
            return None  # the email parser would read the body as MIME
        into = headers.setdefault(name, [])
        # compat32's header_source_parse: the value less its leading blanks
        value = [line[m.end() :].lstrip(" \t")]
    if value is not None and into is not None:
        into.append("".join(value))
    return _raw(headers, body)


def _raw(headers: dict[str, list[str]], body: str) -> RawMetadata:
    # packaging.metadata.parse_email's mapping of the headers, step for step
    raw: dict[str, Any] = {}
    unparsed: set[str] = set()
    for name, values in headers.items():
        key = _EMAIL_TO_RAW.get(name)
        if key is None:
            continue
        if key in _STRING_FIELDS and len(values) == 1:
            raw[key] = values[0]
        elif key in _LIST_FIELDS:
            raw[key] = values
        elif key == "keywords" and len(values) == 1:
            raw[key] = [k.strip() for k in values[0].split(",")]
        elif key == "project_urls":
            urls: dict[str, str] = {}
            for pair in values:
                parts = [p.strip() for p in pair.split(",", 1)]
                parts.extend([""] * (2 - len(parts)))
                if parts[0] in urls:
                    break  # a repeated label: packaging leaves the field unparsed
                urls[parts[0]] = parts[1]
            else:
                raw[key] = urls
        else:
            unparsed.add(key)
    if body:
        if "description" in raw:
            del raw["description"]  # in the header and the body: packaging keeps neither
        elif "description" not in unparsed:
            raw["description"] = body
    return raw  # type: ignore[return-value]
