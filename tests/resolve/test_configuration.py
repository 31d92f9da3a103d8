"""pip's configuration (files at every level, ``PIP_*``) and pip's argument rules.

The parity cases (``tests/cases/rules.yml``) hold these against real pip; here each rule is
pinned down on its own, including the ones a parity case cannot show (what is reported).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mixguard.errors import ParseError
from mixguard.resolve import UnsupportedPipOption, parse_pip_args
from mixguard.resolve.configuration import PipConfiguration, config_files
from mixguard.resolve.options import PipCommandError


def _home(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_files_in_pips_order(tmp_path: Path) -> None:
    env = _home(tmp_path)
    kinds = dict(config_files(site_prefix=tmp_path / "env", environ=env, platform="linux"))
    assert kinds["global"] == [str(tmp_path / "xdg/pip/pip.conf"), "/etc/pip.conf"]
    assert kinds["user"] == [
        str(tmp_path / "home/.pip/pip.conf"),
        str(tmp_path / "home/.config/pip/pip.conf"),
    ]
    assert kinds["site"] == [str(tmp_path / "env/pip.conf")]
    assert kinds["env"] == []
    # PIP_CONFIG_FILE naming an existing file drops the user files; --isolated too
    _write(tmp_path / "c.conf", "")
    env2 = {**env, "PIP_CONFIG_FILE": str(tmp_path / "c.conf")}
    kinds2 = dict(config_files(site_prefix=None, environ=env2, platform="linux"))
    assert "user" not in kinds2 and kinds2["env"] == [str(tmp_path / "c.conf")]
    assert "user" not in dict(config_files(site_prefix=None, environ=env, isolated=True))
    win = dict(config_files(site_prefix="C:/env", environ={"APPDATA": "A"}, platform="win32"))
    assert win["site"] == [os.path.join("C:/env", "pip.ini")]


def test_sections_then_variables_each_replacing(tmp_path: Path) -> None:
    env = _home(tmp_path)
    _write(tmp_path / "xdg/pip/pip.conf", "[install]\npre = yes\n[global]\nindex-url = http://g\n")
    _write(tmp_path / "home/.config/pip/pip.conf", "[global]\npre = no\nindex_url = http://u\n")
    config = PipConfiguration.load(environ=env)
    # [global] of every file, then [install] of every file: the global file's [install] wins
    # (this machine's own /etc/pip.conf, which pip reads too, is left out of the comparison)
    mine = [i for i in config.items if i.source.startswith(str(tmp_path))]
    assert [(i.section, i.key, i.value) for i in mine] == [
        ("global", "index-url", "http://g"),
        ("global", "pre", "no"),
        ("global", "index-url", "http://u"),
        ("install", "pre", "yes"),
    ]
    r = parse_pip_args(["x"], config=config)
    assert r.pre and r.index.index_url == "http://u"
    config2 = PipConfiguration.load(environ={**env, "PIP_PRE": "off", "PIP_VERSION": "1"})
    assert config2.items[-1].source == "PIP_PRE"  # PIP_VERSION is ignored, as pip ignores it
    assert not parse_pip_args(["x"], config=config2).pre


def test_devnull_disables_every_file_but_not_the_variables(tmp_path: Path) -> None:
    env = {**_home(tmp_path), "PIP_CONFIG_FILE": os.devnull, "PIP_NO_DEPS": "1"}
    _write(tmp_path / "xdg/pip/pip.conf", "[global]\npre = yes\n")
    config = PipConfiguration.load(environ=env, site_prefix=tmp_path)
    assert config.files == ()
    r = parse_pip_args(["x"], config=config)
    assert r.no_deps and not r.pre
    assert r.config_applied == ("PIP_NO_DEPS: no-deps = 1",)
    assert PipConfiguration.load(environ=env, isolated=True).items == ()


def test_lists_from_configuration_are_replaced_then_appended_to(tmp_path: Path) -> None:
    env = {
        **_home(tmp_path),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_EXTRA_INDEX_URL": "http://a http://b",
        "PIP_FIND_LINKS": "http://links",
    }
    r = parse_pip_args(
        ["x", "--extra-index-url", "http://c"], config=PipConfiguration.load(environ=env)
    )
    assert r.index.extra_index_urls == ("http://a", "http://b", "http://c")
    assert r.index.find_links == ("http://links",)


def test_store_false_and_counts_as_pip_reads_them(tmp_path: Path) -> None:
    env = {**_home(tmp_path), "PIP_CONFIG_FILE": os.devnull}
    # --no-build-isolation is store_false: the value is the option's dest (pip's quirk)
    off = PipConfiguration.load(environ={**env, "PIP_NO_BUILD_ISOLATION": "no"})
    assert parse_pip_args(["x"], config=off).no_build_isolation
    on = PipConfiguration.load(environ={**env, "PIP_NO_BUILD_ISOLATION": "yes"})
    assert not parse_pip_args(["x"], config=on).no_build_isolation
    bad = PipConfiguration.load(environ={**env, "PIP_PRE": "perhaps"})
    with pytest.raises(ParseError, match="not a valid value for pre") as info:
        parse_pip_args(["x"], config=bad)
    assert "PIP_PRE" in str(info.value)
    verbose = PipConfiguration.load(environ={**env, "PIP_VERBOSE": "3"})
    assert parse_pip_args(["x"], config=verbose).config_applied == ()  # inert, not listed


def test_options_the_check_cannot_honour_are_named(tmp_path: Path) -> None:
    env = {**_home(tmp_path), "PIP_CONFIG_FILE": os.devnull, "PIP_USER": "1", "PIP_TARGET": "/t"}
    r = parse_pip_args(["x"], config=PipConfiguration.load(environ=env))
    assert len(r.config_not_honoured) == 2
    assert any("PIP_USER" in x and "somewhere else" in x for x in r.config_not_honoured)


def test_configured_urls_are_shown_without_passwords(tmp_path: Path) -> None:
    env = {
        **_home(tmp_path),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": "https://user:s3cret@host/simple",
    }
    r = parse_pip_args(["x"], config=PipConfiguration.load(environ=env))
    assert r.index.index_url == "https://user:s3cret@host/simple"  # used as given
    assert "s3cret" not in " ".join(r.config_applied)


def test_an_unparsable_file_is_an_error_naming_it(tmp_path: Path) -> None:
    _write(tmp_path / "xdg/pip/pip.conf", "no section header\n")
    with pytest.raises(ParseError, match="pip cannot parse") as info:
        PipConfiguration.load(environ=_home(tmp_path))
    assert str(tmp_path / "xdg/pip/pip.conf") in str(info.value)


def test_no_requirement_is_pips_error(tmp_path: Path) -> None:
    with pytest.raises(PipCommandError, match=r'see "pip help install"'):
        parse_pip_args(["-U"])
    with pytest.raises(PipCommandError, match='maybe you meant "pip install /links"'):
        parse_pip_args(["-f", "/links"])
    (tmp_path / "c.txt").write_text("six<2\n")
    with pytest.raises(PipCommandError):
        parse_pip_args(["-c", "c.txt"], cwd=tmp_path)  # constraints alone are no requirement


def test_install_as_first_word_is_a_requirement_with_a_hint() -> None:
    r = parse_pip_args(["install", "six"])
    assert [x.text for x in r.requirements] == ["install", "six"]
    assert r.hints and "`install` is read as a requirement" in r.hints[0]


def test_optparse_abbreviations_and_clusters() -> None:
    r = parse_pip_args(["-Uq", "--upgrade-str", "eager", "--force-rein", "x"])
    assert r.upgrade and r.upgrade_strategy == "eager" and r.force_reinstall
    with pytest.raises(ParseError, match="ambiguous option"):
        parse_pip_args(["--no-dep", "x"])  # --no-deps or --no-dependencies, as pip says
    with pytest.raises(UnsupportedPipOption, match="-Z"):
        parse_pip_args(["-UZ", "x"])


def test_env_vars_in_requirement_files_as_pip(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("lib==${LIB_V}  # ${LIB_V} in a comment\n")
    r = parse_pip_args(["-r", "ok.txt"], cwd=tmp_path, environ={"LIB_V": "1.0"})
    assert [x.text for x in r.requirements] == ["lib==1.0"]
    # only ${UPPER_CASE_1}; lower case, unset and empty variables are left as written
    for value in ("lib==${lib_v}", "lib==${UNSET}", "lib==${EMPTY}"):
        (tmp_path / "r.txt").write_text(value + "\n")
        with pytest.raises(ParseError, match="invalid requirement") as info:
            parse_pip_args(["-r", "r.txt"], cwd=tmp_path, environ={"lib_v": "1", "EMPTY": ""})
        assert value in str(info.value)


def test_hash_options_turn_on_hash_checking_mode(tmp_path: Path) -> None:
    digest = "a" * 64
    (tmp_path / "h.txt").write_text(
        f"six==1.16.0 --hash=sha256:{digest} --hash sha256:{'b' * 64}\n"
    )
    r = parse_pip_args(["-r", "h.txt"], cwd=tmp_path)
    assert r.require_hashes
    assert r.allowed_hashes("six") == frozenset({f"sha256:{digest}", f"sha256:{'b' * 64}"})
    assert r.allowed_hashes("other") is None
    assert parse_pip_args(["--require-hashes", "x"]).require_hashes


def test_refused_options_name_themselves() -> None:
    for args, name in (
        (["--user", "x"], "--user"),
        (["--python", "/usr/bin/python3", "x"], "--python"),
        (["--version"], "--version"),
    ):
        with pytest.raises(UnsupportedPipOption) as info:
            parse_pip_args(args)
        assert repr(name) in str(info.value)


def test_the_option_table_is_pips_own() -> None:
    """Every option of pip 25.3's install parser, with its dest, action and value, is in the
    table, and nothing else (roles aside, which are mixguard's)."""
    import subprocess
    import sys

    from mixguard.resolve._pip_options import OPTIONS

    wheel = Path(__file__).parents[1] / "data" / "pip" / "pip-25.3-py3-none-any.whl"
    tool = Path(__file__).parents[2] / "tools" / "dump_pip_options.py"
    out = subprocess.run(
        [sys.executable, str(tool), str(wheel)], capture_output=True, text=True, check=True
    ).stdout
    theirs = set()
    for line in out.splitlines():
        *names, dest, action, takes = line.split()
        theirs.add((tuple(names), dest, action, takes == "True"))
    ours = {(o.names, o.dest, o.action, o.takes_value) for o in OPTIONS}
    assert ours == theirs
