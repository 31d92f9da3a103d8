"""Run conda's own model tests against ``mixguard.conda``, one assertion at a time.

conda's test files (copied verbatim, see SOURCES.md) are the data. Each file is parsed, every
``assert`` becomes a recorded check and every ``with pytest.raises(...)`` a recorded
expectation, and the file runs with ``conda.*`` imports answered by :mod:`.compat` (conda's
API names over mixguard's objects). A test is called once per parametrized case; a test that
needs what mixguard does not model (conda's configuration, its disk layer) stops at the first
use and its assertions count as ``not run`` with the reason.

Outcome per assertion evaluation: ``passed``, ``failed`` (with the values), or ``not run``.
A case id is ``<file>::<test>:<line>``; parametrized calls share the id of their line.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import itertools
import shutil
import sys
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from . import compat

HERE = Path(__file__).parent
FILES = ("test_version", "test_match_spec", "test_channel", "test_records")


@dataclass
class Outcome:
    case: str
    status: str  # passed | failed | not run
    detail: str = ""


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def failed(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for o in self.outcomes:
            if o.status == "failed":
                out.setdefault(o.case, o.detail)
        return out

    def not_run(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for o in self.outcomes:
            if o.status == "not run":
                out.setdefault(o.case, o.detail)
        return out


class _Rewrite(ast.NodeTransformer):
    """``assert x, m`` -> ``__mg_assert(lambda: x, line)``; ``pytest.raises`` -> recorded."""

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        self.generic_visit(node)
        call = ast.Call(
            func=ast.Name("__mg_assert", ast.Load()),
            args=[
                ast.Lambda(
                    args=ast.arguments(
                        posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
                    ),
                    body=node.test,
                ),
                ast.Constant(node.lineno),
            ],
            keywords=[],
        )
        return ast.copy_location(ast.Expr(call), node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        # conda's markers (benchmark, timeout, integration...) are conda's; a private mark
        # generator keeps them out of this suite's --strict-markers
        if node.attr == "mark" and isinstance(node.value, ast.Name) and node.value.id == "pytest":
            return ast.copy_location(ast.Name("__mg_mark", ast.Load()), node)
        self.generic_visit(node)
        return node

    def visit_With(self, node: ast.With) -> ast.stmt:
        self.generic_visit(node)
        for item in node.items:
            e = item.context_expr
            if (
                isinstance(e, ast.Call)
                and isinstance(e.func, ast.Attribute)
                and e.func.attr == "raises"
                and isinstance(e.func.value, ast.Name)
                and e.func.value.id == "pytest"
            ):
                e.func = ast.Name("__mg_raises", ast.Load())
                e.keywords.append(ast.keyword("_line", ast.Constant(node.lineno)))
        return node


def _assert_lines(fn: ast.AST) -> list[int]:
    lines = []
    for n in ast.walk(fn):
        if isinstance(n, ast.Assert) or (
            isinstance(n, ast.With)
            and any(
                isinstance(i.context_expr, ast.Call)
                and isinstance(i.context_expr.func, ast.Attribute)
                and i.context_expr.func.attr == "raises"
                for i in n.items
            )
        ):
            lines.append(n.lineno)
    return sorted(lines)


def _params(fn: Callable[..., Any]) -> list[dict[str, Any]]:
    marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
    sets: list[list[dict[str, Any]]] = []
    for m in marks:
        names = m.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        rows = []
        for value in m.args[1]:
            if hasattr(value, "values") and hasattr(value, "marks"):  # pytest.param
                value = value.values if len(names) > 1 else value.values[0]
            rows.append(dict(zip(names, value if len(names) > 1 else [value], strict=True)))
        sets.append(rows)
    if not sets:
        return [{}]
    return [
        dict(itertools.chain.from_iterable(d.items() for d in combo))
        for combo in itertools.product(*sets)
    ]


@contextlib.contextmanager
def _conda_modules() -> Iterator[None]:
    saved = {k: v for k, v in sys.modules.items() if k == "conda" or k.startswith("conda.")}
    for k in saved:
        del sys.modules[k]
    sys.modules.update(compat.modules())
    try:
        yield
    finally:
        for k in [k for k in sys.modules if k == "conda" or k.startswith("conda.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def run_file(name: str) -> Run:
    path = HERE / f"{name}.py.txt"
    source = path.read_text()
    tree = ast.parse(source, filename=str(path))
    statics = {
        node.name: (node, _assert_lines(node))
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test")
    }
    tree = ast.fix_missing_locations(_Rewrite().visit(tree))
    run = Run()
    current: dict[str, str] = {}

    def case(line: int) -> str:
        return f"{name}::{current['test']}:{line}"

    def record(line: int, status: str, detail: str = "") -> None:
        run.outcomes.append(Outcome(case(line), status, detail))

    def mg_assert(thunk: Callable[[], Any], line: int) -> None:
        try:
            ok = thunk()
        except compat.NeedsAPI:
            raise
        except Exception as exc:  # the assertion's own expression failed: a failed case
            record(line, "failed", f"{type(exc).__name__}: {exc}"[:300])
            return
        if ok:
            record(line, "passed")
        else:
            record(line, "failed", "assertion does not hold")

    class MgRaises:
        def __init__(self, *expected: Any, _line: int, match: str | None = None) -> None:
            self.expected = expected[0] if expected else Exception
            self.line = _line
            self.match = match

        def __enter__(self) -> MgRaises:
            return self

        def __exit__(self, et: Any, ev: Any, tb: Any) -> bool:
            self.value = ev
            if et is not None and issubclass(et, compat.NeedsAPI):
                return False
            if et is None:
                record(
                    self.line,
                    "failed",
                    f"no {getattr(self.expected, '__name__', self.expected)} raised",
                )
            elif issubclass(et, self.expected):
                record(self.line, "passed")
            else:
                record(self.line, "failed", f"raised {et.__name__}: {ev}"[:300])
            return True

    from _pytest.mark.structures import MarkGenerator

    ns: dict[str, Any] = {
        "__name__": f"conda_cases_{name}",
        "__mg_assert": mg_assert,
        "__mg_raises": MgRaises,
        "__mg_mark": MarkGenerator(_ispytest=True),
    }
    import io

    with _conda_modules(), contextlib.redirect_stdout(io.StringIO()):  # conda's tests print
        try:
            exec(compile(tree, str(path), "exec"), ns)
        except compat.NeedsAPI as exc:  # the module itself needs what is not modelled
            for test, (_, lines) in statics.items():
                current["test"] = test
                for line in lines:
                    record(line, "not run", str(exc))
            return run
        tests: list[tuple[str, Callable[..., Any]]] = []
        for key, value in ns.items():
            if "Fixture" in type(value).__name__:
                continue  # a fixture definition named test*, not a test
            if key.startswith("test") and callable(value):
                tests.append((key, value))
            elif key.startswith("Test") and isinstance(value, type):
                for attr, fn in vars(value).items():
                    if attr.startswith("test") and callable(fn):
                        tests.append((attr, fn.__get__(value())))
        for test, fn in tests:
            current["test"] = test
            lines = statics.get(test, (None, []))[1]
            for params in _params(fn):
                _call(fn, params, lines, record, run)
    return run


def _call(
    fn: Callable[..., Any],
    params: dict[str, Any],
    lines: list[int],
    record: Callable[..., None],
    run: Run,
) -> None:
    import inspect

    marks = {m.name: m for m in getattr(fn, "pytestmark", [])}
    if "skip" in marks:
        reason = marks["skip"].kwargs.get("reason", "")
        for line in lines:
            record(line, "not run", f"skipped in conda's own suite: {reason}")
        return
    wanted = [p for p in inspect.signature(fn).parameters if p not in params]
    kwargs = dict(params)
    undo: list[Callable[[], None]] = []
    for p in wanted:
        if p == "monkeypatch":
            mp = pytest.MonkeyPatch()
            kwargs[p] = mp
            undo.append(mp.undo)
        elif p == "tmp_path":
            tmp = Path(tempfile.mkdtemp(prefix="conda-case-"))
            kwargs[p] = tmp
            undo.append(functools.partial(shutil.rmtree, tmp, ignore_errors=True))
        elif p == "benchmark":
            kwargs[p] = lambda f, *a, **k: f(*a, **k)  # pytest-benchmark: just run it
        else:
            for line in lines:
                record(line, "not run", f"needs conda's pytest fixture {p!r}")
            return
    start = len(run.outcomes)
    try:
        fn(**kwargs)
    except compat.NeedsAPI as exc:
        reached = {o.case.rsplit(":", 1)[1] for o in run.outcomes[start:]}
        for line in lines:
            if str(line) not in reached:
                record(line, "not run", str(exc))
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        where = next(
            (f.lineno for f in reversed(tb) if f.filename.endswith(".py.txt")),
            lines[0] if lines else 0,
        )
        record(where or 0, "failed", f"{type(exc).__name__}: {exc}"[:300])
    finally:
        for u in undo:
            u()
    if "xfail" in marks:
        # conda's own suite expects these to fail: a failure here agrees with conda
        for o in run.outcomes[start:]:
            if o.status == "failed":
                o.status = "xfail in conda"


def run_all() -> dict[str, Run]:
    return {name: run_file(name) for name in FILES}


if __name__ == "__main__":  # python -m tests.cases.conda.harness
    import yaml

    doc = yaml.safe_load((HERE / "divergences.yml").read_text())
    total: Counter[str] = Counter()
    for name, run in run_all().items():
        total.update(run.counts())
        print(name, dict(run.counts()))
        for case, detail in run.failed().items():
            if case not in doc["failed"]:
                print(f"  UNDOCUMENTED FAILURE {case}: {detail}")
        for case, reason in run.not_run().items():
            if not any(reason.startswith(p) for p in doc["not_run"]):
                print(f"  UNDOCUMENTED NOT RUN {case}: {reason}")
    print("total", dict(total))
