"""The combined graph of a mixed environment, before and after a plan (networkx).

Nodes: ``conda:<name>`` (conda records) and ``pypi:<name>`` (Python distributions, with their
version before and after the plan). Edges, each with a ``type``:

- ``depends`` / ``constrains``: conda record -> conda name, with the MatchSpec;
- ``requires``: distribution -> distribution, with the Requires-Dist specifier and marker
  (after the plan for planned distributions);
- ``provides``: conda record -> the distribution it installed (``how``: files or table).

Built after resolution, on demand: nothing in the resolution's hot path needs it.
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
from packaging.utils import canonicalize_name

from ._dependencies import dist_states, requirement_edges
from .environment.model import Environment
from .errors import MixguardError
from .mapping import name_map
from .plan import InstallPlan

__all__ = ["CombinedGraph", "GraphQueryError", "build_graph"]


class GraphQueryError(MixguardError):
    """A graph query about a node that is not in the graph."""


class CombinedGraph:
    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.g = graph

    def node(self, name: str) -> str:
        """The node id for a name: ``pypi:x``, ``conda:x``, or an id given as is."""
        if name in self.g:
            return name
        for prefix, key in (("pypi", canonicalize_name(name)), ("conda", name.lower())):
            node = f"{prefix}:{key}"
            if node in self.g:
                return node
        raise GraphQueryError(
            f"{name!r} is neither a distribution nor a conda package in this graph"
        )

    def nodes_named(self, name: str) -> list[str]:
        """Every node a name may mean: an id as given, else its PyPI distribution and its conda
        package (``tensorflow`` is both ``pypi:tensorflow`` and the ``conda:tensorflow``
        metapackage)."""
        if name in self.g:
            return [name]
        found = [
            node
            for node in (f"pypi:{canonicalize_name(name)}", f"conda:{name.lower()}")
            if node in self.g
        ]
        if not found:
            raise GraphQueryError(
                f"{name!r} is neither a distribution nor a conda package in this graph"
            )
        return found

    def why(self, a: str, b: str, limit: int = 10) -> list[list[str]]:
        """Dependency paths from ``a`` to ``b`` (shortest first): why ``a`` brings in ``b``.
        A bare name is looked up as a PyPI distribution and as a conda package alike."""
        view = nx.DiGraph(
            (u, v) for u, v, d in self.g.edges(data=True) if d["type"] != "constrains"
        )
        found: list[list[str]] = []
        for src in self.nodes_named(a):
            for dst in self.nodes_named(b):
                if src == dst or src not in view or dst not in view:
                    continue
                try:
                    paths = nx.all_shortest_paths(view, src, dst)
                    found += [list(p) for _, p in zip(range(limit), paths, strict=False)]
                except nx.NetworkXNoPath:
                    continue
        unique = {tuple(p): p for p in found}
        return sorted(unique.values(), key=len)[:limit]

    def who_needs(self, x: str) -> list[str]:
        """Every node that depends on ``x``, directly or not."""
        node = self.node(x)
        view = nx.DiGraph(
            (u, v) for u, v, d in self.g.edges(data=True) if d["type"] != "constrains"
        )
        return sorted(nx.ancestors(view, node)) if node in view else []

    def blast_radius(self) -> list[str]:
        """Nodes the plan changes, and every node that depends on one of them."""
        changed = [n for n, d in self.g.nodes(data=True) if d.get("state") in ("added", "changed")]
        out: set[str] = set(changed)
        for n in changed:
            out |= set(self.who_needs(n))
        return sorted(out)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = nx.node_link_data(self.g, edges="edges")
        return data

    def to_graphml(self) -> str:
        buf = io.BytesIO()
        # GraphML attributes must be scalars
        g = nx.MultiDiGraph()
        for n, d in self.g.nodes(data=True):
            g.add_node(n, **{k: str(v) for k, v in d.items() if v is not None})
        for u, v, d in self.g.edges(data=True):
            g.add_edge(u, v, **{k: str(val) for k, val in d.items() if val is not None})
        nx.write_graphml(g, buf)
        return buf.getvalue().decode()

    def to_dot(self) -> str:
        def q(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = ["digraph mixguard {", "  rankdir=LR;"]
        colours = {"added": "palegreen", "changed": "orange", "installed": "white"}
        for n, d in sorted(self.g.nodes(data=True)):
            label = d.get("label", n)
            shape = "box" if d.get("kind") == "conda" else "ellipse"
            lines.append(
                f"  {q(n)} [label={q(label)}, shape={shape}, style=filled, "
                f"fillcolor={colours.get(d.get('state', 'installed'), 'white')}];"
            )
        styles = {
            "depends": "solid",
            "constrains": "dotted",
            "requires": "solid",
            "provides": "dashed",
        }
        for u, v, d in self.g.edges(data=True):
            lbl = d.get("spec") or ""
            lines.append(f"  {q(u)} -> {q(v)} [style={styles[d['type']]}, label={q(lbl)}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=1, default=str)


def build_graph(env: Environment, plan: InstallPlan | None = None) -> CombinedGraph:
    g = nx.MultiDiGraph()
    markers = env.target.markers()
    for r in env.records:
        g.add_node(
            f"conda:{r.name}",
            kind="conda",
            name=r.name,
            version=r.version,
            build=r.build,
            channel=r.channel_name,
            state="installed",
            label=f"{r.name} {r.version} (conda)",
        )
    states = dist_states(env, plan)
    for name, st in states.items():
        before, after, owner = st.before, st.after, st.owner
        state = "installed" if after is None else ("added" if before is None else "changed")
        version = after or before
        g.add_node(
            f"pypi:{name}",
            kind="pypi",
            name=name,
            version=version,
            version_before=before,
            version_after=after,
            state=state,
            owner=owner,
            label=f"{name} {before} -> {after}" if before and after else f"{name} {version}",
        )
        if owner:
            g.add_edge(f"conda:{owner}", f"pypi:{name}", type="provides", how="files", spec=None)
    nm = name_map()
    for r in env.records:
        if not env.dists_of(r.name):
            for p in nm.pypi_names(r.name) or ():
                if f"pypi:{p}" in g:
                    g.add_edge(
                        f"conda:{r.name}", f"pypi:{p}", type="provides", how="table", spec=None
                    )
        pairs = (
            ("depends", r.depends, r.depends_specs()),
            ("constrains", r.constrains, r.constrains_specs()),
        )
        for fld, texts, specs in pairs:
            for text, spec in zip(texts, specs, strict=True):
                if spec.name.startswith("__") or f"conda:{spec.name}" not in g:
                    continue
                g.add_edge(f"conda:{r.name}", f"conda:{spec.name}", type=fld, spec=text)
    for name, deps in requirement_edges(states, markers).items():
        for dep, req in deps:
            g.add_edge(
                f"pypi:{name}",
                f"pypi:{dep}",
                type="requires",
                spec=str(req.specifier) or None,
                marker=str(req.marker) if req.marker else None,
            )
    return CombinedGraph(g)
