"""Conda's version ordering and version specs.

This follows ``conda.models.version`` rule for rule (``VersionOrder``, ``treeify``,
``VersionSpec.get_matcher``), because conda's solver decided what is in the environment and we
must judge it the way conda does. py-rattler is the differential oracle in
``tests/property/test_version_oracle.py``.

Ordering summary: epoch ``N!`` first; components split at ``.``/``_`` (``-`` when no ``_``);
each component split into runs of digits and non-digits; ``*`` < ``dev`` < ``_`` < other
strings (``a`` < ``b`` < ``rc``) < numbers < ``post``; missing parts count as ``0`` so
``1.1 == 1.1.0``; the local part after ``+`` breaks ties only.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import zip_longest

from ..errors import InvalidVersion, InvalidVersionSpec, ParseError

__all__ = ["VersionOrder", "VersionSpec"]

_VERSION_CHECK = re.compile(r"^[\*\.\+!_0-9a-z]+$")
_VERSION_SPLIT = re.compile(r"([0-9]+|[*]+|[^0-9*]+)")

# A component element: int, float('inf') for "post", or a lower-case string ("DEV" for dev).
_Elem = int | float | str
_Component = tuple[_Elem, ...]
_FILL = 0


def _parse_components(parts: list[str], raw: str) -> tuple[_Component, ...]:
    out: list[_Component] = []
    for part in parts:
        runs = _VERSION_SPLIT.findall(part)
        if not runs:
            raise InvalidVersion(raw, "empty version component")
        elems: list[_Elem] = []
        for run in runs:
            if run.isdigit():
                elems.append(int(run))
            elif run == "post":
                elems.append(float("inf"))  # number < post
            elif run == "dev":
                elems.append("DEV")  # upper case sorts before '_' and every lower-case string
            else:
                elems.append(run)
        if not part[0].isdigit():
            # keep numbers and strings in phase: '1.1.a1' == '1.1.0a1'
            elems.insert(0, _FILL)
        out.append(tuple(elems))
    return tuple(out)


def _normal_form(parts: tuple[_Component, ...]) -> tuple[_Component, ...]:
    # Strip what compares equal to "missing", so equal versions hash alike.
    comps = [tuple(_strip_fill(c)) for c in parts]
    while comps and not comps[-1]:
        comps.pop()
    return tuple(comps)


def _strip_fill(c: _Component) -> list[_Elem]:
    elems = list(c)
    while elems and isinstance(elems[-1], int) and elems[-1] == _FILL:
        elems.pop()
    return elems


def _elem_lt(c1: _Elem, c2: _Elem) -> bool:
    if isinstance(c1, str):
        if not isinstance(c2, str):
            return True  # strings sort before numbers
        return c1 < c2
    if isinstance(c2, str):
        return False
    return c1 < c2


def _seq_eq(t1: tuple[_Component, ...], t2: tuple[_Component, ...]) -> bool:
    for v1, v2 in zip_longest(t1, t2, fillvalue=()):
        for c1, c2 in zip_longest(v1, v2, fillvalue=_FILL):
            if c1 != c2:
                return False
    return True


@dataclass(frozen=True, slots=True, eq=False)
class VersionOrder:
    """A conda version, ordered as conda orders it.

    >>> VersionOrder("1.1.0") == VersionOrder("1.1")
    True
    >>> sorted(["1.0", "1.0rc1", "1.0.post1", "1.0dev1"], key=VersionOrder)
    ['1.0dev1', '1.0rc1', '1.0', '1.0.post1']
    """

    raw: str
    norm: str = field(compare=False)
    version: tuple[_Component, ...] = field(repr=False)
    local: tuple[_Component, ...] = field(repr=False)

    def __init__(self, raw: str) -> None:
        version, local = _parse_version(raw)
        object.__setattr__(self, "raw", raw)
        object.__setattr__(self, "norm", _normalise_text(raw))
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "local", local)

    @classmethod
    def parse(cls, raw: str) -> VersionOrder:
        """Parse through a cache: records repeat the same few versions many times."""
        return _cached_version(raw)

    def __str__(self) -> str:
        return self.norm

    def __hash__(self) -> int:
        return hash((_normal_form(self.version), _normal_form(self.local)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VersionOrder):
            return NotImplemented
        return _seq_eq(self.version, other.version) and _seq_eq(self.local, other.local)

    def __lt__(self, other: VersionOrder) -> bool:
        for t1, t2 in ((self.version, other.version), (self.local, other.local)):
            for v1, v2 in zip_longest(t1, t2, fillvalue=()):
                for c1, c2 in zip_longest(v1, v2, fillvalue=_FILL):
                    if c1 == c2:
                        continue
                    return _elem_lt(c1, c2)
        return False

    def __gt__(self, other: VersionOrder) -> bool:
        return other < self

    def __le__(self, other: VersionOrder) -> bool:
        return not other < self

    def __ge__(self, other: VersionOrder) -> bool:
        return not self < other

    def startswith(self, other: VersionOrder) -> bool:
        """Whether ``self`` lies in ``other.*`` (conda's ``=1.2`` and ``1.2.*``)."""
        if other.local:
            if not _seq_eq(self.version, other.version):
                return False
            t1, t2 = self.local, other.local
        else:
            t1, t2 = self.version, other.version
        nt = len(t2) - 1
        if not _seq_eq(t1[:nt], t2[:nt]):
            return False
        v1: _Component = () if len(t1) <= nt else t1[nt]
        v2 = t2[nt]
        ne = len(v2) - 1
        if not _seq_eq((v1[:ne],), (v2[:ne],)):
            return False
        c1: _Elem = _FILL if len(v1) <= ne else v1[ne]
        c2 = v2[ne]
        if isinstance(c2, str):
            return isinstance(c1, str) and c1.startswith(c2)
        return c1 == c2


def _normalise_text(raw: str) -> str:
    text = raw.strip().lower()
    if not _VERSION_CHECK.match(text) and "-" in text and "_" not in text:
        text = text.replace("-", "_")
    return text


def _parse_version(raw: str) -> tuple[tuple[_Component, ...], tuple[_Component, ...]]:
    if not isinstance(raw, str):
        raise InvalidVersion(raw, "version must be a string")
    text = raw.strip().lower()
    if not text:
        raise InvalidVersion(raw, "empty version string")
    if not _VERSION_CHECK.match(text) and "-" in text and "_" not in text:
        # dashes are allowed as separators as long as there are no underscores
        text = text.replace("-", "_")
    if not _VERSION_CHECK.match(text):
        raise InvalidVersion(raw, "invalid character(s)")

    pieces = text.split("!")
    if len(pieces) == 1:
        epoch = "0"
    elif len(pieces) == 2:
        if not pieces[0].isdigit():
            raise InvalidVersion(raw, "epoch must be an integer")
        epoch = pieces[0]
    else:
        raise InvalidVersion(raw, "duplicated epoch separator '!'")

    main_local = pieces[-1].split("+")
    if len(main_local) > 2:
        raise InvalidVersion(raw, "duplicated local version separator '+'")
    local_parts = main_local[1].replace("_", ".").split(".") if len(main_local) == 2 else []
    main = main_local[0]
    if not main:
        raise InvalidVersion(raw, "missing version before local version separator '+'")
    if main[-1] == "_":
        # openssl-style '1.0.1_' keeps its trailing underscore on the last component
        split = main[:-1].replace("_", ".").split(".")
        split[-1] += "_"
    else:
        split = main.replace("_", ".").split(".")
    return _parse_components([epoch, *split], raw), _parse_components(local_parts, raw)


@lru_cache(maxsize=65536)
def _cached_version(raw: str) -> VersionOrder:
    return VersionOrder(raw)


# --- version specs --------------------------------------------------------------------------

_VSPEC_TOKENS = re.compile(r"\s*\^[^$]*[$]|\s*[()|,]|[^()|,]+")
_RELATION = re.compile(r"^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$")
_NEEDS_TREE = re.compile(r".*[()|,^$]")
_OPERATOR_START = frozenset("=<>!~")

_Tree = str | tuple["str | _Tree", ...]


def _compatible(x: VersionOrder, y: VersionOrder) -> bool:
    return x >= y and x.startswith(VersionOrder.parse(".".join(str(y).split(".")[:-1])))


_OPERATORS: dict[str, Callable[[VersionOrder, VersionOrder], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
    "=": lambda x, y: x.startswith(y),
    "!=startswith": lambda x, y: not x.startswith(y),
    "~=": _compatible,
}


def _treeify(spec: str) -> _Tree:
    """Turn ``1.2,<3|>=4`` into an operator tree; ``,`` binds tighter than ``|``."""
    tokens = _VSPEC_TOKENS.findall(f"({spec})")
    output: list[_Tree] = []
    stack: list[str] = []

    def apply_ops(stop: str) -> None:
        while stack and stack[-1] not in stop:
            if len(output) < 2:
                raise InvalidVersionSpec(spec, "cannot join single expression")
            op = stack.pop()
            right = output.pop()
            left = output.pop()
            r = right[1:] if isinstance(right, tuple) and right[0] == op else (right,)
            lft = left[1:] if isinstance(left, tuple) and left[0] == op else (left,)
            output.append((op, *lft, *r))

    for token in tokens:
        item = token.strip()
        if item == "|":
            apply_ops("(")
            stack.append("|")
        elif item == ",":
            apply_ops("|(")
            stack.append(",")
        elif item == "(":
            stack.append("(")
        elif item == ")":
            apply_ops("(")
            if not stack or stack[-1] != "(":
                raise InvalidVersionSpec(spec, "expression must start with '('")
            stack.pop()
        else:
            output.append(item)
    if stack:
        raise InvalidVersionSpec(spec, f"unbalanced expression: {stack}")
    if not output:
        raise InvalidVersionSpec(spec, "unable to determine version from spec")
    return output[0]


def _untreeify(tree: _Tree, in_and: bool = False, depth: int = 0) -> str:
    if isinstance(tree, str):
        return tree
    if tree[0] == "|":
        res = "|".join(_untreeify(t, depth=depth + 1) for t in tree[1:])
        return f"({res})" if in_and or depth > 0 else res
    res = ",".join(_untreeify(t, in_and=True, depth=depth + 1) for t in tree[1:])
    return f"({res})" if depth > 0 else res


@dataclass(frozen=True, slots=True, eq=False)
class VersionSpec:
    """A conda version spec such as ``>=1.21.6,<2.0a0``, ``2.9.*`` or ``1.2|1.4``.

    >>> VersionSpec.parse(">=1.21.6,<2.0a0").match("2.0.0")
    False
    >>> VersionSpec.parse("2.9.*").match("2.9.1")
    True
    """

    spec: str
    kind: str = field(repr=False)  # "any", "all", "always", "regex", "op", "exact"
    children: tuple[VersionSpec, ...] = field(default=(), repr=False)
    op: str = field(default="", repr=False)
    operand: VersionOrder | None = field(default=None, repr=False)
    pattern: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, spec: str) -> VersionSpec:
        """Parse a version spec; raises :class:`InvalidVersionSpec` quoting it."""
        if not isinstance(spec, str):
            raise InvalidVersionSpec(spec, "version spec must be a string")
        return _cached_spec(spec)

    @classmethod
    def _build(cls, spec: str | _Tree) -> VersionSpec:
        if isinstance(spec, str) and _NEEDS_TREE.match(spec):
            spec = _treeify(spec)
        if isinstance(spec, tuple):
            children = tuple(cls._build(s) for s in spec[1:])
            text = _untreeify((spec[0], *(c.spec for c in children)))
            return cls(text, "any" if spec[0] == "|" else "all", children)

        text = spec.strip()
        if not text:
            raise InvalidVersionSpec(spec, "empty version spec")
        try:
            return cls._build_single(text)
        except InvalidVersion as exc:
            raise InvalidVersionSpec(text, f"invalid version: {exc.reason}") from None

    @classmethod
    def _build_single(cls, text: str) -> VersionSpec:
        if text[0] == "^" or text[-1] == "$":
            if text[0] != "^" or text[-1] != "$":
                raise InvalidVersionSpec(text, "regex specs must start with '^' and end with '$'")
            return cls(text, "regex", pattern=_compile(text, text))
        if text[0] in _OPERATOR_START:
            m = _RELATION.match(text)
            if m is None:
                raise InvalidVersionSpec(text, "invalid operator")
            op, operand = m.groups()
            if operand.endswith(".*"):
                if op in ("=", ">="):
                    operand = operand[:-2]
                elif op == "!=":
                    operand, op = operand[:-2], "!=startswith"
                elif op == "~=":
                    raise InvalidVersionSpec(text, "invalid operator with '.*'")
                else:
                    # conda warns and ignores the superfluous '.*'
                    operand = operand[:-2]
            return cls(text, "op", op=op, operand=VersionOrder.parse(operand))
        if text == "*":
            return cls(text, "always")
        if "*" in text.rstrip("*"):
            rx = text.replace(".", r"\.").replace("+", r"\+").replace("*", r".*")
            return cls(text, "regex", pattern=_compile(rf"^(?:{rx})$", text))
        if text[-1] == "*":
            if text[-2:] != ".*":
                text = text[:-1] + ".*"
            operand = text.rstrip("*").rstrip(".")
            return cls(text, "op", op="=", operand=VersionOrder.parse(operand))
        if "@" not in text:
            return cls(text, "op", op="==", operand=VersionOrder.parse(text))
        return cls(text, "exact")

    def match(self, version: str | VersionOrder) -> bool:
        """Whether a record's version string satisfies this spec."""
        kind = self.kind
        if kind == "op":
            assert self.operand is not None
            vo = version if isinstance(version, VersionOrder) else VersionOrder.parse(version)
            return _OPERATORS[self.op](vo, self.operand)
        if kind == "all":
            return all(c.match(version) for c in self.children)
        if kind == "any":
            return any(c.match(version) for c in self.children)
        if kind == "always":
            return True
        text = version.raw if isinstance(version, VersionOrder) else version
        if kind == "regex":
            assert self.pattern is not None
            return self.pattern.match(text) is not None
        return self.spec == text

    def is_exact(self) -> bool:
        """Whether the spec names one version (``==1.7.1``, ``1.7.1``), as conda's."""
        return self.kind == "exact" or (self.kind == "op" and self.op == "==")

    @property
    def raw_value(self) -> str:
        return self.spec

    @property
    def exact_value(self) -> str | None:
        return self.spec if self.is_exact() else None

    def merge(self, other: VersionSpec) -> VersionSpec:
        """Both specs at once (conda's ``VersionSpec.merge``: joined with ``,``)."""
        if not isinstance(other, VersionSpec):
            raise TypeError(f"Can only combine objects of the same type. Received {type(other)}.")
        if self.spec == other.spec:
            return self
        return VersionSpec.parse(",".join(sorted((self.spec, other.spec))))

    def union(self, other: VersionSpec) -> str:
        """Either spec, for display (conda's ``VersionSpec.union``)."""
        if not isinstance(other, VersionSpec):
            raise TypeError(f"Can only combine objects of the same type. Received {type(other)}.")
        return "|".join(sorted({self.spec, other.spec}))

    def __eq__(self, other: object) -> bool:
        # conda: equal when the normalised spec texts are ("1.7.1*" is "1.7.1.*")
        if isinstance(other, VersionSpec):
            return self.spec == other.spec
        if isinstance(other, str):
            try:
                return self.spec == VersionSpec.parse(other).spec
            except ParseError:
                return False
        return False

    def __hash__(self) -> int:
        return hash(self.spec)

    def __repr__(self) -> str:
        return f"VersionSpec('{self.spec}')"

    def __str__(self) -> str:
        return self.spec


def _compile(rx: str, spec: str) -> re.Pattern[str]:
    try:
        return re.compile(rx)
    except re.error as exc:
        raise InvalidVersionSpec(spec, f"invalid regular expression: {exc}") from None


@lru_cache(maxsize=65536)
def _cached_spec(spec: str) -> VersionSpec:
    return VersionSpec._build(spec)
