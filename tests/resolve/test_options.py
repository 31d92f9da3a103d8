"""pip install's arguments, parsed with pip's meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixguard.errors import ParseError
from mixguard.resolve import UnsupportedPipOption, parse_pip_args


def test_flags_and_strategy() -> None:
    r = parse_pip_args(
        [
            "-U",
            "--upgrade-strategy=eager",
            "--pre",
            "--no-deps",
            "--force-reinstall",
            "-I",
            "--prefer-binary",
            "numpy>=2",
            "-q",
            "--dry-run",
        ]
    )
    assert (r.upgrade, r.upgrade_strategy, r.pre, r.no_deps) == (True, "eager", True, True)
    assert (r.force_reinstall, r.ignore_installed, r.prefer_binary) == (True, True, True)
    assert [x.text for x in r.requirements] == ["numpy>=2"]
    # without -U the strategy is pip's "to-satisfy-only", whatever --upgrade-strategy says
    assert (
        parse_pip_args(["--upgrade-strategy", "eager", "x"]).upgrade_strategy == "to-satisfy-only"
    )
    assert parse_pip_args(["-U", "x"]).upgrade_strategy == "only-if-needed"


def test_index_options() -> None:
    r = parse_pip_args(
        [
            "-i",
            "https://a/simple",
            "--extra-index-url",
            "https://b/simple",
            "--extra-index-url=https://c/simple",
            "-f",
            "https://d/links",
            "x",
        ]
    )
    assert r.index.index_url == "https://a/simple"
    assert r.index.extra_index_urls == ("https://b/simple", "https://c/simple")
    assert r.index.find_links == ("https://d/links",)
    assert parse_pip_args(["--no-index", "x"]).index.index_urls == ()


def test_format_controls_are_mutually_exclusive_like_pip() -> None:
    r = parse_pip_args(["--only-binary", ":all:", "--no-binary", "lib", "x"])
    assert not r.allows_binary("lib") and r.allows_source("lib")
    assert r.allows_binary("other") and not r.allows_source("other")
    r2 = parse_pip_args(["--no-binary", ":all:", "--only-binary", ":none:", "x"])
    assert not r2.allows_binary("anything")


def test_requirement_files_nested_with_options(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text(
        "-c constraints.txt\n--pre\nsix  # comment\nnumpy>=1.2,\\\n  <3\n"
    )
    (tmp_path / "constraints.txt").write_text("urllib3<2\n")
    (tmp_path / "top.txt").write_text(
        "-r base.txt\n--index-url https://mirror/simple\nrequests[socks]\n"
    )
    r = parse_pip_args(["-r", "top.txt", "click"], cwd=tmp_path)
    # pip's order: constraints, command line, editables, requirement files
    assert [(x.text, x.constraint) for x in r.requirements] == [
        ("urllib3<2", True),
        ("click", False),
        ("six", False),
        ("numpy>=1.2,  <3", False),
        ("requests[socks]", False),
    ]
    assert r.pre and r.index.index_url == "https://mirror/simple"
    assert r.requirements[2].where == "base.txt:3"


def test_urls_paths_and_editables(tmp_path: Path) -> None:
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    r = parse_pip_args(
        [str(wheel), "name @ https://x/pkg-2.0.tar.gz", "-e", "./src#egg=mine"], cwd=tmp_path
    )
    a, b, c = r.requirements
    assert a.link == str(wheel) and a.name == "pkg"
    assert b.name == "name" and b.link == "https://x/pkg-2.0.tar.gz"
    assert c.editable and c.name == "mine"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--user", "x"], "--user"),
        (["--target", "d", "x"], "--target"),
        (["--python-version", "3.9", "x"], "--python-version"),
        (["--prefix", "/elsewhere", "x"], "--prefix"),
        (["-t", "d", "x"], "-t"),
        (["--frobnicate", "x"], "--frobnicate"),
    ],
)
def test_unsupported_options_name_themselves(args: list[str], option: str) -> None:
    with pytest.raises(UnsupportedPipOption) as info:
        parse_pip_args(args)
    assert repr(option) in str(info.value)


def test_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="invalid requirement"):
        parse_pip_args(["numpy>>=2"])
    with pytest.raises(ParseError, match="cannot read requirements file"):
        parse_pip_args(["-r", "missing.txt"], cwd=tmp_path)
    (tmp_path / "loop.txt").write_text("-r loop.txt\n")
    with pytest.raises(ParseError, match="includes itself"):
        parse_pip_args(["-r", "loop.txt"], cwd=tmp_path)
    (tmp_path / "hashes.txt").write_text("six==1.16.0 --hash=md5:abc\n")
    with pytest.raises(ParseError, match="Allowed hash algorithms"):
        parse_pip_args(["-r", "hashes.txt"], cwd=tmp_path)
    with pytest.raises(ParseError, match="requires 1 argument"):
        parse_pip_args(["-r"])
    with pytest.raises(ParseError, match="invalid choice"):
        parse_pip_args(["--upgrade-strategy", "sometimes", "x"])
