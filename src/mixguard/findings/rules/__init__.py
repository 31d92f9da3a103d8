"""The finding rules, one module per family; each rule is a function from a
:class:`~mixguard.findings.context.Context` to findings.

To add a rule: write ``def my_rule(ctx: Context) -> list[Finding]`` in the module of its
family (or a new one), add it to :data:`CHECK_RULES`, give its kind a row in
``docs/findings.md`` (severity by the rubric there) and a test that performs the real operation.
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context
from ..finding import Finding
from . import conda, cuda, files, pip, runtime

__all__ = ["AUDIT_RULES", "CHECK_RULES", "Rule"]

Rule = Callable[[Context], list[Finding]]

#: every rule a check runs, in report order (the report sorts by severity afterwards)
CHECK_RULES: tuple[Rule, ...] = (
    conda.overrides,
    conda.constraints,
    pip.pip_check,
    cuda.cuda,
    files.imports,
    files.clobber,
    files.uninstall,
    conda.metadata_loss,
    runtime.abi,
    runtime.known,
    pip.source_builds,
    pip.unknowns,
)

#: the rules an audit runs on the environment as it is (no plan), sharing the families above
AUDIT_RULES: tuple[Rule, ...] = (conda.shadowed, cuda.installed_cuda, pip.installed_pip_check)
