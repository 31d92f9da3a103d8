"""The requirement fast path (``mixguard.requirements``) gives packaging's answer, or none.

Every Requires-Dist line of the recorded universes and the demo index, and generated lines
mixing valid and invalid pieces: where the fast path answers, packaging parses the line to the
same requirement; ``parse_requirement`` is None exactly where packaging rejects the line. The
corpus must mostly take the fast path, or the test would pass with one that never answers.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier

from mixguard.requirements import _simple_requirement, parse_requirement

_ROOTS = [
    Path(__file__).parents[1] / "cases" / "universes",
    Path(__file__).parents[2] / "src" / "mixguard" / "demo",
]


def _corpus() -> list[str]:
    lines: set[str] = set()
    for root in _ROOTS:
        for meta in root.rglob("*.metadata"):
            for line in meta.read_text("utf-8", "replace").splitlines():
                if line.startswith("Requires-Dist:"):
                    lines.add(line.split(":", 1)[1].strip())
    return sorted(lines)


def _same(text: str) -> bool:
    """Whether the fast path answered (and then, that packaging agrees in every part)."""
    fast = _simple_requirement(text)
    try:
        slow: Requirement | None = Requirement(text)
    except (InvalidRequirement, InvalidSpecifier):
        slow = None
    got = parse_requirement(text)
    assert (got is None) == (slow is None), text
    if fast is None:
        return False
    assert slow is not None, f"the fast path accepts what packaging rejects: {text!r}"
    assert (fast.name, fast.url, fast.extras) == (slow.name, slow.url, slow.extras), text
    assert str(fast.specifier) == str(slow.specifier) and fast.specifier == slow.specifier, text
    assert str(fast.marker) == str(slow.marker), text
    assert str(fast) == str(slow) and fast == slow and hash(fast) == hash(slow), text
    return True


def test_the_recorded_requires_dist_lines() -> None:
    corpus = _corpus()
    assert len(corpus) > 500
    fast = sum(_same(t) for t in corpus)
    assert fast / len(corpus) > 0.9, f"only {fast} of {len(corpus)} took the fast path"


_NAME = st.sampled_from(["six", "a", "Foo_Bar.baz", "x-", "-x", "9lives", "zope.interface", ""])
_OPS = st.sampled_from(["==", ">=", "<=", "!=", "~=", "<", ">", "===", "=", "=>", ""])
_VERSION = st.sampled_from(
    ["1", "1.0", "1.*", "1.0rc1", "2.0a0", "1.0+local", "1.0.post1", "v1", ""]
)
_MARKER = st.sampled_from(
    [
        'extra == "dev"',
        'extra == "Foo_Bar"',
        'python_version < "3.11"',
        'sys_platform == "linux" and extra == "x"',
        "python_version<'3'",
        "nonsense",
        "",
    ]
)


@st.composite
def lines(draw: st.DrawFn) -> str:
    text = draw(_NAME)
    if draw(st.booleans()):
        text += "[" + ",".join(draw(st.lists(_NAME, max_size=3))) + "]"
    specs = [draw(_OPS) + draw(_VERSION) for _ in range(draw(st.integers(0, 3)))]
    spec = ",".join(specs)
    if spec:
        sep = draw(st.sampled_from(["", " ", "  "]))
        text += sep + (f"({spec})" if draw(st.booleans()) else spec)
    if draw(st.booleans()):
        text += draw(st.sampled_from([";", " ;", "; ", " ; "])) + draw(_MARKER)
    return text + draw(st.sampled_from(["", "", " "]))


@settings(max_examples=1500, deadline=None)
@given(lines())
def test_generated_lines(text: str) -> None:
    _same(text)
