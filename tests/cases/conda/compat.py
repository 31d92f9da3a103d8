"""conda's API names, answered by ``mixguard.conda`` (for running conda's own tests).

Only names; the semantics are mixguard's. Whatever conda's tests import that mixguard does not
model (conda's configuration ``context``/``.condarc``, its disk layer, ``PrefixData``) is a
placeholder that stops the test at first use with :class:`NeedsAPI`, so its assertions count
as "not run" with the reason, never as passed.
"""

from __future__ import annotations

import os
import textwrap
import types
from typing import Any

from mixguard.conda import channel as mg_channel
from mixguard.conda.matchspec import FIELD_NAMES, _parse_spec_str
from mixguard.conda.matchspec import MatchSpec as MgMatchSpec
from mixguard.conda.records import PackageRecord as MgPackageRecord
from mixguard.conda.records import PrefixRecord as MgPrefixRecord
from mixguard.conda.version import VersionOrder as MgVersionOrder
from mixguard.conda.version import VersionSpec as MgVersionSpec
from mixguard.errors import InvalidMatchSpec, InvalidVersionSpec, ParseError


class NeedsAPI(Exception):
    """The test uses conda API that mixguard does not model."""


class _Missing:
    def __init__(self, name: str, why: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_why", why)

    def _stop(self, *_: Any, **__: Any) -> Any:
        raise NeedsAPI(f"{self._name}: {self._why}")

    __call__ = _stop
    __iter__ = _stop
    __enter__ = _stop

    def __getattr__(self, attr: str) -> Any:
        raise NeedsAPI(f"{self._name}.{attr}: {self._why}")

    def __setattr__(self, attr: str, value: Any) -> None:
        raise NeedsAPI(f"{self._name}.{attr}: {self._why}")


_CONFIG = "conda's configuration system (context, .condarc, env vars): mixguard reads none"


class _Context:
    """conda's ``context``: only ``subdir`` (this machine's, as conda computes it)."""

    subdir = "linux-64"
    channel_alias = mg_channel.CHANNEL_ALIAS

    def __getattr__(self, attr: str) -> Any:
        raise NeedsAPI(f"conda.base.context.context.{attr}: {_CONFIG}")


def _version_order(v: Any) -> MgVersionOrder:
    return v if isinstance(v, MgVersionOrder) else MgVersionOrder.parse(str(v))


def ver_eval(vtest: str, spec: str) -> bool:
    return MgVersionSpec.parse(spec).match(vtest)


def VersionSpec(spec: Any) -> Any:  # noqa: N802 - conda's name
    if isinstance(spec, MgVersionSpec):
        return spec
    return MgVersionSpec.parse(spec)


def _record(**kw: Any) -> MgPackageRecord:
    for key in ("depends", "constrains"):
        if isinstance(kw.get(key), tuple):
            kw[key] = list(kw[key])
    if kw.get("channel") is not None and not isinstance(kw["channel"], str):
        kw["channel"] = str(kw["channel"])
    return MgPackageRecord.from_dict(kw, "conda test")


def _prefix_record(**kw: Any) -> MgPrefixRecord:
    if kw.get("channel") is not None and not isinstance(kw["channel"], str):
        kw["channel"] = str(kw["channel"])
    return MgPrefixRecord.from_dict(kw, "conda test")


_SPEC_FIELDS = frozenset(FIELD_NAMES)


class MatchSpec:
    """conda's constructor forms over mixguard's MatchSpec: a string, another spec, a mapping
    or keywords; ``optional``/``target`` are conda's install-time flags, kept beside it."""

    spec_obj: MgMatchSpec
    optional: bool
    target: Any
    original_spec_str: str | None

    def __new__(cls, spec_arg: Any = None, **kwargs: Any) -> Any:
        if isinstance(spec_arg, MatchSpec) and not kwargs:
            return spec_arg
        optional = kwargs.pop("optional", None)
        target = kwargs.pop("target", _UNSET)
        try:
            if isinstance(spec_arg, MatchSpec):
                base = dict(spec_arg.spec_obj.components())
                if optional is None:
                    optional = spec_arg.optional
                if target is _UNSET:
                    target = spec_arg.target
                original = spec_arg.original_spec_str
            elif isinstance(spec_arg, str):
                parsed = MgMatchSpec.parse(spec_arg)
                base = dict(parsed.components())
                original = spec_arg
            elif isinstance(spec_arg, Dist):
                base = dict(spec_arg.to_match_spec().spec_obj.components())
                original = None
            elif spec_arg is None or isinstance(spec_arg, dict):
                base = dict(spec_arg or {})
                original = None
            else:
                raise ParseError(spec_arg, "Invalid MatchSpec")
            fields = {k: v for k, v in kwargs.items()}
            if set(fields) - _SPEC_FIELDS:
                raise InvalidMatchSpec(
                    fields, f"Cannot match on field(s): {set(fields) - _SPEC_FIELDS}"
                )
            comps = {**base, **fields}
            spec = MgMatchSpec.from_components(comps, original or str(comps))
        except ParseError as exc:
            raise InvalidMatchSpec(str(spec_arg), str(exc)) from None
        self = object.__new__(cls)
        self.spec_obj = spec
        self.optional = bool(optional)
        self.target = None if target is _UNSET else target
        self.original_spec_str = original if not kwargs else None
        return self

    def __getattr__(self, attr: str) -> Any:
        if attr in ("spec_obj",):
            raise AttributeError(attr)
        return getattr(self.spec_obj, attr)

    def match(self, rec: Any) -> bool:
        if isinstance(rec, dict):
            rec = _record(**rec)
        elif isinstance(rec, Dist):
            rec = rec.record()
        return bool(self.spec_obj.match(rec))

    def get(self, field: str, default: Any = None) -> Any:
        value = self.spec_obj.get_raw_value(field)
        return default if value is None else value

    @classmethod
    def from_dist_str(cls, dist_str: str) -> MatchSpec:
        return Dist(dist_str).to_match_spec()

    def conda_build_form(self) -> str:
        if not self.spec_obj.get_exact_value("name"):
            raise ValueError(".conda_build_form() requires a non-empty spec name.")
        return self.spec

    def __contains__(self, field: str) -> bool:
        return field in self.spec_obj

    def __str__(self) -> str:
        return str(self.spec_obj)

    def __repr__(self) -> str:
        extra = (f', target="{self.target}"' if self.target else "") + (
            ", optional=True" if self.optional else ""
        )
        return f'MatchSpec("{self}"{extra})'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MatchSpec) and (self.spec_obj, self.optional, self.target) == (
            other.spec_obj,
            other.optional,
            other.target,
        )

    def __hash__(self) -> int:
        return hash((self.spec_obj, self.optional, self.target))

    @property
    def spec(self) -> str:
        comps = self.spec_obj.components()
        out = [comps["name"]]
        if "build" in comps:
            out += [comps.get("version", "*"), comps["build"]]
        elif "version" in comps:
            out.append(comps["version"])
        return " ".join(out)

    @property
    def version(self) -> Any:
        return self.spec_obj.version

    @property
    def name(self) -> str:
        return self.spec_obj.get_exact_value("name") or "*"

    def _is_simple(self) -> bool:
        comps = self.spec_obj.components()
        return len(comps) == 1 and self.spec_obj.get_exact_value("name") is not None

    def _is_single(self) -> bool:
        return len(self.spec_obj.components()) == 1

    def _to_filename_do_not_use(self) -> str | None:
        fn = self.spec_obj.get_exact_value("fn")
        if fn:
            return fn
        vals = [self.spec_obj.get_exact_value(k) for k in ("name", "version", "build")]
        return None if any(v is None for v in vals) else "{}-{}-{}.tar.bz2".format(*vals)

    @classmethod
    def merge(cls, specs: Any, union: bool = False) -> list[Any]:
        if union:
            raise NeedsAPI("MatchSpec.merge(union=True): conda's display-only union")
        return [
            MatchSpec(str(s))
            for s in MgMatchSpec.merge(
                [s.spec_obj if isinstance(s, MatchSpec) else s for s in specs]
            )
        ]


_UNSET = object()


class Dist:
    """conda's legacy ``channel::name-version-build`` string (or its keywords), parsed."""

    def __init__(self, text: Any = None, **kw: Any) -> None:
        if isinstance(text, Dist):
            self.__dict__.update(text.__dict__)
            return
        channel = kw.get("channel")
        if text is None:
            text = kw["dist_name"]
        if "::" in text:
            channel, text = text.split("::", 1)
        for ext in (".tar.bz2", ".conda"):
            if text.endswith(ext):
                text = text[: -len(ext)]
        name, version, build = text.rsplit("-", 2)
        self.name = kw.get("name", name)
        self.version = kw.get("version", version)
        self.build_string = kw.get("build_string", build)
        self.build = self.build_string
        tail = self.build_string.rsplit("_", 1)[-1]
        self.build_number = kw.get("build_number", int(tail) if tail.isdigit() else 0)
        self.channel = channel
        self.subdir = kw.get("platform")

    def to_filename(self) -> str:
        return f"{self.name}-{self.version}-{self.build_string}.tar.bz2"

    def to_match_spec(self) -> MatchSpec:
        kw = {"name": self.name, "version": self.version, "build": self.build_string}
        if self.channel:
            kw["channel"] = self.channel
        spec: MatchSpec = MatchSpec(**kw)
        return spec

    def record(self) -> MgPackageRecord:
        raw: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "build": self.build_string,
            "build_number": self.build_number,
            "subdir": self.subdir or "linux-64",
        }
        if self.channel:
            raw["channel"] = self.channel
        return _record(**raw)


def _conda_parse_spec_str(spec: str) -> dict[str, Any]:
    """conda's ``_parse_spec_str`` result: mixguard's, plus conda's ``_original_spec_str`` key
    on the string (not URL, not ``feature@``) path."""
    out = dict(_parse_spec_str(spec))
    if not spec.endswith(("@", ".conda", ".tar.bz2")):
        out["_original_spec_str"] = spec
    return out


class _ChannelFactory:
    """conda's ``Channel(...)`` call forms over mixguard's Channel."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs:
            value = args[0]
            if isinstance(value, mg_channel.Channel):
                return value
            return mg_channel.Channel.from_value(value)
        if "channels" in kwargs:
            return mg_channel.MultiChannel(
                kwargs["name"], tuple(_ChannelFactory(**c) for c in kwargs["channels"])
            )
        return mg_channel.Channel(*args, **kwargs)

    from_value = staticmethod(mg_channel.Channel.from_value)

    @staticmethod
    def _reset_state() -> None:
        """conda clears its Channel cache; mixguard's Channels are plain values."""


_channel = _ChannelFactory


def modules() -> dict[str, types.ModuleType]:
    """``sys.modules`` entries for the ``conda.*`` names conda's model tests import."""

    def mod(name: str, **attrs: Any) -> types.ModuleType:
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        return m

    missing = _Missing
    disk = "conda's disk layer: not modelled (mixguard never writes an environment)"
    return {
        "conda": mod("conda"),
        "conda.auxlib": mod("conda.auxlib"),
        "conda.auxlib.ish": mod("conda.auxlib.ish", dals=lambda s: textwrap.dedent(s).lstrip()),
        "conda.base": mod("conda.base"),
        "conda.base.constants": mod(
            "conda.base.constants",
            CONDA_PACKAGE_EXTENSION_V1=".tar.bz2",
            CONDA_PACKAGE_EXTENSION_V2=".conda",
            DEFAULT_CHANNELS=("defaults",),
        ),
        "conda.base.context": mod(
            "conda.base.context",
            context=_Context(),
            Context=missing("conda.base.context.Context", _CONFIG),
            reset_context=missing("conda.base.context.reset_context", _CONFIG),
        ),
        "conda.cli": mod("conda.cli"),
        "conda.cli.common": mod(
            "conda.cli.common",
            spec_from_line=missing("conda.cli.common.spec_from_line", "conda's CLI parsing"),
        ),
        "conda.common": mod("conda.common"),
        "conda.common.compat": mod("conda.common.compat", on_win=os.name == "nt"),
        "conda.common.configuration": mod(
            "conda.common.configuration",
            YamlRawParameter=missing("YamlRawParameter", _CONFIG),
        ),
        "conda.common.serialize": mod(
            "conda.common.serialize", yaml=missing("conda.common.serialize.yaml", _CONFIG)
        ),
        "conda.common.url": mod(
            "conda.common.url",
            join=lambda *p: "/".join(x.strip("/") for x in p if x),
            join_url=lambda *p: "/".join(x.strip("/") for x in p if x),
        ),
        "conda.core": mod("conda.core"),
        "conda.core.prefix_data": mod(
            "conda.core.prefix_data", PrefixData=missing("PrefixData", disk)
        ),
        "conda.exceptions": mod(
            "conda.exceptions",
            InvalidVersionSpec=InvalidVersionSpec,
            InvalidMatchSpec=InvalidMatchSpec,
            InvalidSpec=ParseError,
        ),
        "conda.gateways": mod("conda.gateways"),
        "conda.gateways.disk": mod("conda.gateways.disk"),
        "conda.gateways.disk.create": mod(
            "conda.gateways.disk.create", mkdir_p=missing("mkdir_p", disk)
        ),
        "conda.gateways.disk.delete": mod(
            "conda.gateways.disk.delete", rm_rf=missing("rm_rf", disk)
        ),
        "conda.gateways.logging": mod("conda.gateways.logging", initialize_logging=lambda: None),
        "conda.models": mod("conda.models"),
        "conda.models.channel": mod(
            "conda.models.channel",
            Channel=_channel,
            MultiChannel=mg_channel.MultiChannel,
            prioritize_channels=missing("prioritize_channels", _CONFIG),
        ),
        "conda.models.dist": mod("conda.models.dist", Dist=Dist),
        "conda.models.enums": mod(
            "conda.models.enums", PackageType=missing("PackageType", "conda's package types")
        ),
        "conda.models.match_spec": mod(
            "conda.models.match_spec",
            MatchSpec=MatchSpec,
            ChannelMatch=missing("ChannelMatch", "conda's MatchSpec internals"),
            _BRACKETS_KV_RE=missing("_BRACKETS_KV_RE", "conda's MatchSpec internals"),
            _PARSE_CACHE={},
            _parse_spec_str=_conda_parse_spec_str,
        ),
        "conda.models.records": mod(
            "conda.models.records", PackageRecord=_record, PrefixRecord=_prefix_record
        ),
        "conda.models.version": mod(
            "conda.models.version",
            VersionOrder=_version_order,
            VersionSpec=VersionSpec,
            normalized_version=_version_order,
            ver_eval=ver_eval,
        ),
    }
