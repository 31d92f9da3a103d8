"""Hypothesis strategies for conda versions, version specs and MatchSpecs."""

from __future__ import annotations

from hypothesis import strategies as st

_WORDS = ["dev", "a", "b", "rc", "post", "alpha", "beta", "pre", "g", "z", "_"]


@st.composite
def components(draw: st.DrawFn) -> str:
    """One version component: runs of digits and letters, e.g. ``0rc1`` or ``post2``."""
    runs = draw(
        st.lists(
            st.one_of(st.integers(0, 12).map(str), st.sampled_from(_WORDS[:-1])),
            min_size=1,
            max_size=3,
        )
    )
    text = ""
    for run in runs:
        # two adjacent digit runs would merge into one number; keep them apart
        if text and text[-1].isdigit() and run[0].isdigit():
            text += "a"
        if text and text[-1].isalpha() and run[0].isalpha():
            text += "0"
        text += run
    return text


@st.composite
def versions(draw: st.DrawFn) -> str:
    parts = draw(st.lists(components(), min_size=1, max_size=4))
    # the first component starts with a number in real versions; strings-first are legal too
    if draw(st.booleans()):
        parts[0] = str(draw(st.integers(0, 5))) + parts[0].lstrip("0123456789")
    sep = draw(st.sampled_from([".", ".", ".", "_", "-"]))
    text = sep.join(parts)
    if sep != "-" and text[-1].isdigit() and draw(st.integers(0, 9)) == 0:
        # openssl-style trailing underscore; after letters conda and rattler split it
        # differently (docs/conda-semantics.md), so the oracle only sees it after digits
        text += "_"
    if draw(st.integers(0, 9)) == 0:
        text = f"{draw(st.integers(0, 2))}!{text}"
    if draw(st.integers(0, 7)) == 0:
        local = draw(st.lists(components(), min_size=1, max_size=2))
        text += "+" + ".".join(local)
    if draw(st.integers(0, 9)) == 0:
        text = text.upper()
    return text


@st.composite
def numeric_versions(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    text = ".".join(map(str, parts))
    suffix = draw(st.sampled_from(["", "", "", "a1", "rc1", "dev0", ".post1", "a0"]))
    return text + suffix


@st.composite
def simple_specs(draw: st.DrawFn) -> str:
    v = draw(numeric_versions())
    kind = draw(
        st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "=", "bare", ".*", "*", "!=.*"])
    )
    if kind == "bare":
        return v
    if kind == ".*":
        return v.rstrip(".") + ".*" if v[-1].isdigit() else v + "*"
    if kind == "*":
        return "*"
    if kind == "!=.*":
        return "!=" + (v + ".*" if v[-1].isdigit() else v)
    if kind == "~=":
        # compatible release needs at least two components
        return "~=" + (v if "." in v.split("a")[0].split("rc")[0] else v + ".0")
    return kind + v


@st.composite
def version_specs(draw: st.DrawFn, parens: bool = True) -> str:
    """``a,b|c`` trees; ``parens=False`` for MatchSpec strings, where conda strips ``(...)``."""
    groups = draw(
        st.lists(st.lists(simple_specs(), min_size=1, max_size=3), min_size=1, max_size=3)
    )
    ands = [",".join(g) for g in groups]
    if parens and len(ands) > 1 and draw(st.booleans()):
        ands = [f"({a})" if "," in a else a for a in ands]
    return "|".join(ands)
