"""Where pip stops with an error instead of installing: PEP 668's ``EXTERNALLY-MANAGED``
marker, ``--require-virtualenv`` outside a virtual environment, and hash-checking mode
(pip 25.3 ``utils/misc.check_externally_managed``, ``cli/base_command.py``,
``operations/prepare.py`` and ``exceptions.HashError``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..environment.model import Environment
from ..plan import Change, PipRefusal
from ..requirements import is_pinned
from .options import PipRequest

__all__ = ["before_resolution", "hash_refusals"]


def _under_virtualenv(prefix: Path) -> bool:
    # pip's running_under_virtualenv(): sys.prefix != sys.base_prefix, which a venv's
    # pyvenv.cfg makes so; a conda prefix is not a virtual environment
    return (prefix / "pyvenv.cfg").is_file()


def _stdlib(env: Environment, prefix: Path) -> Path | None:
    t = env.target
    if t.platform == "win":
        return prefix / "Lib"
    if not t.python_short:
        return None
    return prefix / "lib" / f"python{t.python_short}{'t' if t.free_threaded else ''}"


def before_resolution(env: Environment, request: PipRequest) -> tuple[PipRefusal, ...]:
    """What stops pip before it resolves anything (prefix sources only: a file describes no
    interpreter whose markers could be looked at)."""
    if env.kind != "prefix":
        return ()
    prefix = Path(env.source)
    out: list[PipRefusal] = []
    venv = _under_virtualenv(prefix)
    if request.require_virtualenv and not venv:
        out.append(
            PipRefusal(
                "require-virtualenv",
                env.source,
                "Could not find an activated virtualenv (required).",
            )
        )
    stdlib = _stdlib(env, prefix)
    # pip skips the check for --dry-run --report, --root, --target and --prefix; a check is
    # about the real install, so only --break-system-packages lifts it here
    if not venv and not request.break_system_packages and stdlib is not None:
        marker = stdlib / "EXTERNALLY-MANAGED"
        if marker.is_file():
            out.append(
                PipRefusal(
                    "externally-managed",
                    env.source,
                    "error: externally-managed-environment: this environment is externally "
                    f"managed ({marker}); pip refuses to install into it without "
                    "--break-system-packages (or PIP_BREAK_SYSTEM_PACKAGES=1)",
                )
            )
    return tuple(out)


def _file_hashes(change: Change) -> dict[str, str]:
    """The file's hashes: the index's, else computed for a local file (as pip hashes what it
    fetched)."""
    hashes = dict(change.hashes)
    if hashes or not change.url or not change.url.startswith("file:"):
        return hashes
    path = Path(unquote(urlsplit(change.url).path))
    try:
        return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    except OSError:
        return {}


_UNPINNED = (
    "In --require-hashes mode, all requirements must have their versions pinned with ==. "
    "These do not:"
)
_MISSING = (
    "Hashes are required in --require-hashes mode, but they are missing from some "
    "requirements. Here is a list of those requirements along with the hashes their "
    "downloaded archives actually had. You can add lines like these to your requirements "
    "files to prevent tampering. (If you did not enable --require-hashes manually, note "
    "that it turns on automatically when any package has a hash.)"
)
_MISMATCH = (
    "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated "
    "the package versions, please update the hashes. Otherwise, examine the package contents "
    "carefully; someone may have tampered with them."
)


def hash_refusals(request: PipRequest, installs: tuple[Change, ...]) -> tuple[PipRefusal, ...]:
    """pip's hash checks on what it would fetch, in hash-checking mode: each planned file
    must come from a requirement pinned with ``==`` that carries a hash the file has."""
    if not request.require_hashes:
        return ()
    out: list[PipRefusal] = []
    for c in installs:
        roots = [r for r in request.user_requirements if r.name == c.name]
        allowed = request.allowed_hashes(c.name)
        actual = _file_hashes(c)
        if roots and not any(
            r.link or (r.requirement and is_pinned(r.requirement.specifier)) for r in roots
        ):
            text = roots[0].text
            out.append(PipRefusal("hash-unpinned", c.name, f"{_UNPINNED}\n    {text}"))
        elif not allowed:
            digest = actual.get("sha256", "<unknown: the file was not read>")
            out.append(
                PipRefusal(
                    "hash-missing",
                    c.name,
                    f"{_MISSING}\n    {c.name}=={c.version} --hash=sha256:{digest}",
                )
            )
        elif not any(f"{a}:{h}" in allowed for a, h in actual.items()):
            wanted = ", ".join(sorted(allowed))
            got = ", ".join(f"{a}:{h}" for a, h in sorted(actual.items())) or "unknown"
            out.append(
                PipRefusal(
                    "hash-mismatch",
                    c.name,
                    f"{_MISMATCH}\n    {c.name}=={c.version} from {c.url}:\n"
                    f"        Expected {wanted}\n             Got        {got}",
                )
            )
    return tuple(out)
