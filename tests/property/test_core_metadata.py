"""``mixguard._core_metadata.parse_metadata`` is packaging's ``parse_email``, read faster.

Every recorded METADATA / PKG-INFO / ``.metadata`` file of the repository (the demo index, the
recorded universes, the prefixes of the test data) and generated texts (headers in any case,
repeated, continued, with a body, CRLF, lone carriage returns, defects) give the same
``RawMetadata`` as ``packaging.metadata.parse_email(text)[0]``. The recorded corpus must take the
direct reading, or the test would pass with one that always hands over to the email parser.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging.metadata import parse_email

from mixguard._core_metadata import _plain, parse_metadata

_ROOTS = [
    Path(__file__).parents[1] / "cases",
    Path(__file__).parents[1] / "data",
    Path(__file__).parents[2] / "src" / "mixguard" / "demo",
]


def _corpus() -> list[tuple[Path, str]]:
    found = []
    for root in _ROOTS:
        for path in sorted(root.rglob("*")):
            if path.is_file() and (
                path.name in ("METADATA", "PKG-INFO") or path.name.endswith(".metadata")
            ):
                raw = path.read_bytes()
                # both ways mixguard reads them: a prefix's (universal newlines) and an index's
                found.append((path, raw.decode("utf-8", "replace")))
                found.append((path, path.read_text("utf-8", "replace")))
    return found


def _same(text: str) -> bool:
    """Whether the direct reading answered; either way, the answer is packaging's."""
    expected, _unparsed = parse_email(text)
    assert parse_metadata(text) == expected, repr(text[:400])
    direct = _plain(text)
    if direct is None:
        return False
    assert direct == expected, repr(text[:400])
    return True


def test_every_recorded_metadata_file() -> None:
    corpus = _corpus()
    assert len(corpus) > 300
    direct = sum(_same(text) for _path, text in corpus)
    assert direct == len(corpus), f"{len(corpus) - direct} recorded files went to the email parser"


_NAMES = st.sampled_from(
    [
        "Metadata-Version",
        "Name",
        "name",
        "VERSION",
        "Version",
        "Summary",
        "Requires-Dist",
        "requires-dist",
        "Requires-Python",
        "Provides-Extra",
        "Classifier",
        "Keywords",
        "Project-URL",
        "Description",
        "License-File",
        "Dynamic",
        "X-Unknown",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
        "From",
        "Bad Name",
        "",
    ]
)
_VALUE = st.text(
    alphabet=st.sampled_from(list("ab1 ,.:;=<>!\t\"'[]()|é\u2028\x0c")),
    max_size=20,
)
_INDENT = st.sampled_from([" ", "\t", "        "])
_EOL = st.sampled_from(["\n", "\n", "\r\n", "\r"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        parts.append(f"{draw(_NAMES)}:{draw(_VALUE)}{draw(_EOL)}")
        for _ in range(draw(st.integers(0, 2))):  # continuation lines
            parts.append(draw(_INDENT) + draw(_VALUE))
            parts.append(draw(_EOL))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["\n", "\r\n", " \n", "no colon here\n"])))
        parts.append(draw(_VALUE))
        parts.append(draw(st.sampled_from(["", "\n", "\r\n", "\n\nmore\n"])))
    return "".join(parts)


def test_surrogates_go_to_the_email_parser() -> None:
    # mixguard decodes with "replace" (no surrogates); were one there, the email parser wraps
    # the value in a Header, which the direct reading does not model
    assert _plain("Name: a\udce9\n") is None


@settings(max_examples=1500, deadline=None)
@given(_texts())
@example("Name: a\nName: b\nVersion: 1\n")  # a repeated single field: unparsed
@example("Name: a\nDescription: d\n\nbody\n")  # description twice: neither kept
@example("Name: a\nKeywords: x, y,,z\nProject-URL: a, b\nProject-URL: a, c\n")
@example("Description:\n  first\n\tsecond\r\n  third\n")
@example(" starts with a continuation\nName: a\n")
@example("Name: a\r\nVersion: 1\r\n\r\nbody\r\nmore\n")
def test_generated_texts(text: str) -> None:
    _same(text)
