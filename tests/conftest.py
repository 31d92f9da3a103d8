"""Shared test configuration: hypothesis profiles and the oracle case counter."""

from __future__ import annotations

import os
import socket
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# "ci" is the default: >= 10^4 oracle comparisons in total. "thorough": >= 10^5.
settings.register_profile(
    "ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=8000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATA = Path(__file__).parent / "data"

#: Oracle comparisons made by property tests, by kind; reported at the end of the run.
ORACLE_CASES: Counter[str] = Counter()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _no_machine_pip_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as if this machine had no pip configuration (it has: a global pip.conf with
    a constraint, extra indexes and find-links); tests of configuration set their own."""
    for key in list(os.environ):
        if key.startswith("PIP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test has its own empty mixguard cache, never this machine's: the cache is keyed by
    a file's sha256, so what a real check once stored (a RECORD of a wheel the demo index also
    lists) would change what a demo check knows, and the golden report with it."""
    monkeypatch.setenv("MIXGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("mixguard-cache")))


_LOOPBACK = ("localhost", "127.", "::1")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never use the network (a server on 127.0.0.1 is fine): a name outside loopback
    fails to resolve at once, so a test that would reach out fails instead of depending on it."""
    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not str(host).startswith(_LOOPBACK):
            raise socket.gaierror(socket.EAI_NONAME, f"tests never use the network ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    parity = sys.modules.get("tests.test_parity")
    if parity is not None:
        ran = sum(
            1
            for key in ("passed", "failed")
            for rep in terminalreporter.stats.get(key, [])
            if rep.nodeid.startswith("tests/test_parity.py::test_parity[") and rep.when == "call"
        )
        if ran:
            from mixguard.plan import EMULATED_PIP

            terminalreporter.write_line(
                f"parity with real pip {EMULATED_PIP}: {parity.RESULTS['agree']}/{ran} agree "
                f"({len(parity.CASES)} cases in tests/cases); --no-deps remedies held against "
                f"real pip: {parity.RESULTS['no-deps remedies held against pip']}"
            )
    conda_cases = sys.modules.get("tests.test_conda_cases")
    if conda_cases is not None and conda_cases.COUNTS:
        c = conda_cases.COUNTS
        documented = len(conda_cases.DOC["failed"])
        terminalreporter.write_line(
            f"conda's own model tests: {sum(c.values())} cases, {c['passed']} passed, "
            f"{c['failed']} differ ({documented} case ids, each explained), {c['not run']} not "
            f"run (reasons documented), {c['xfail in conda']} fail in conda too "
            "(tests/cases/conda/divergences.yml)"
        )
    oracle = {k: v for k, v in ORACLE_CASES.items() if not k.startswith("fuzz ")}
    fuzz = {k[5:]: v for k, v in ORACLE_CASES.items() if k.startswith("fuzz ")}
    if oracle:
        # counted by the property tests as they compare; a disagreement fails its test
        total = sum(v for k, v in oracle.items() if not k.startswith("skipped"))
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(oracle.items()))
        failed = [
            rep.nodeid
            for rep in terminalreporter.stats.get("failed", [])
            if rep.nodeid.startswith("tests/property/")
        ]
        verdict = f"{len(failed)} property test(s) FAILED" if failed else "none disagreed"
        terminalreporter.write_line(
            f"py-rattler oracle: {total} cases compared, {verdict} ({detail})"
        )
    if fuzz:
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(fuzz.items()))
        terminalreporter.write_line(
            f"fuzzed parsers: {sum(fuzz.values())} inputs, each a result or a typed error ({detail})"
        )
