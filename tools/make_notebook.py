"""Write notebooks/mixguard-demo.ipynb from the cells below (kept here so that diffs are code).

Run by hand after editing: ``python tools/make_notebook.py``; CI executes the notebook with
``tools/run_notebook.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

CELLS = [
    (
        "md",
        "# mixguard on the embedded demo\n\n"
        "A TF 2.9 / CUDA 11.2 conda prefix (real conda-forge records), an offline snapshot of "
        "PyPI (2024-06-01), and two plans: what would `pip install` do, and what breaks? "
        "Offline: no conda, no network.",
    ),
    (
        "code",
        "import mixguard\n"
        "from mixguard.demo import demo_index, demo_prefix\n\n"
        "env = mixguard.load_environment(demo=True)\n"
        "INDEX = ['--index-url', (demo_index() / 'simple').as_uri()]\n"
        "t = env.target\n"
        "print(t.subdir, t.python_version, [str(v) for v in t.virtual_packages])\n"
        "print(len(env.records), 'conda records,', len(env.distributions), 'Python distributions')",
    ),
    (
        "md",
        "## Where you type `pip install`: the `%mixguard` magic\n\n"
        "`%load_ext mixguard`, then `%mixguard pip install ...` checks the install against the "
        "kernel's own environment and shows the findings as a table; pip runs only when the "
        "check passes (or with `--yes`). `%mixguard guard on` routes this kernel's `%pip install` "
        "and `!pip install` lines through it. Here `--demo` checks the embedded prefix instead "
        "(the demo has no pip to run).",
    ),
    ("code", "%load_ext mixguard"),
    ("code", "%mixguard pip --demo install sentence-transformers"),
    ("md", "## Two plans, from Python"),
    (
        "code",
        "plans = {\n"
        "    'sentence-transformers': mixguard.check(env, ['sentence-transformers', *INDEX], offline=True),\n"
        "    'typing-extensions==4.12.0': mixguard.check(env, ['typing-extensions==4.12.0', *INDEX], offline=True),\n"
        "}\n"
        "for request, report in plans.items():\n"
        "    print(f'{request:28} {report.summary()}')",
    ),
    ("md", "## Findings as a table"),
    (
        "code",
        "from IPython.display import Markdown\n\n"
        "rows = ['| request | severity | kind | subject | why |', '|---|---|---|---|---|']\n"
        "for request, report in plans.items():\n"
        "    for f in report.findings:\n"
        "        if f.severity != 'info':\n"
        "            rows.append(f\"| {request} | {f.severity} | {f.kind} | {f.subject} | {' -> '.join(f.chain)} |\")\n"
        "Markdown('\\n'.join(rows))",
    ),
    (
        "md",
        "## The combined graph around the override and the CUDA clash\n\n"
        "Conda records are squares, Python distributions circles; green is added by pip, orange "
        "changed by pip (here conda's `typing_extensions`), red the CUDA runtimes that clash.",
    ),
    (
        "code",
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "import networkx as nx\n\n"
        "report = plans['sentence-transformers']\n"
        "g = report.graph.g\n"
        "focus = ['pypi:sentence-transformers', 'pypi:torch', 'pypi:nvidia-cuda-runtime-cu12',\n"
        "         'pypi:nvidia-cudnn-cu12', 'pypi:typing-extensions', 'conda:typing_extensions',\n"
        "         'conda:cudatoolkit', 'conda:cudnn', 'conda:tensorflow-base', 'pypi:tensorflow',\n"
        "         'conda:tensorflow', 'conda:python']\n"
        "keep = set(focus)\n"
        "for a in ('sentence-transformers', 'tensorflow-base'):\n"
        "    for b in ('typing-extensions', 'nvidia-cuda-runtime-cu12', 'cudatoolkit'):\n"
        "        for path in report.graph.why(a, b, limit=3):\n"
        "            keep.update(path)\n"
        "sub = nx.DiGraph(g.subgraph(n for n in keep if n in g))\n"
        "clash = {'pypi:nvidia-cuda-runtime-cu12', 'pypi:nvidia-cudnn-cu12', 'conda:cudatoolkit', 'conda:cudnn'}\n"
        "colour = {'added': '#9be39b', 'changed': '#ffb347'}\n"
        "overridden = {'conda:typing_extensions'}  # the conda record whose files pip replaces\n"
        "colours = ['#ff6b6b' if n in clash else '#ffb347' if n in overridden\n"
        "           else colour.get(g.nodes[n].get('state'), '#e8e8e8') for n in sub]\n"
        "shapes = ['s' if g.nodes[n].get('kind') == 'conda' else 'o' for n in sub]\n"
        "pos = nx.spring_layout(sub, seed=7, k=0.9)  # numpy only; seeded: the PNG is stable\n"
        "fig, ax = plt.subplots(figsize=(12, 8))\n"
        "for shape in ('s', 'o'):\n"
        "    nodes = [n for n, s in zip(sub, shapes) if s == shape]\n"
        "    nx.draw_networkx_nodes(sub, pos, nodelist=nodes, node_shape=shape, node_size=900,\n"
        "                           node_color=[c for n, c in zip(sub, colours) if n in nodes], ax=ax)\n"
        "nx.draw_networkx_edges(sub, pos, ax=ax, arrows=True, arrowsize=14, node_size=900, edge_color='#777777')\n"
        "from matplotlib.patches import Patch\n"
        "legend = [('#9be39b', 'added by pip'), ('#ffb347', 'changed by pip'),\n"
        "          ('#ff6b6b', 'CUDA runtime clash'), ('#e8e8e8', 'unchanged')]\n"
        "ax.legend(handles=[Patch(color=c, label=l) for c, l in legend], loc='lower left')\n"
        "nx.draw_networkx_labels(sub, pos, labels={n: n.split(':', 1)[1] for n in sub}, font_size=8, ax=ax)\n"
        "ax.set_title('pip install sentence-transformers into the TF 2.9 / CUDA 11.2 demo prefix')\n"
        "ax.axis('off')\n"
        "fig.tight_layout()\n"
        "fig.savefig('../docs/img/demo-graph.png', dpi=80)\n"
        "print(sorted(sub))",
    ),
    (
        "code",
        "# the why behind the clash, as the report gives it\n"
        "clash = next(f for f in report.findings if f.kind == 'cuda-runtime-clash' and f.severity == 'error')\n"
        "print(' -> '.join(clash.chain))\n"
        "ev = clash.evidence\n"
        "print(ev['pip_runtime'], 'vs', ev['conda_runtimes'], 'with __cuda', ev['__cuda'])",
    ),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        for kind, src in CELLS
    ]
    out = Path(__file__).parents[1] / "notebooks" / "mixguard-demo.ipynb"
    nbformat.write(nb, out)
    print(out)


if __name__ == "__main__":
    main()
