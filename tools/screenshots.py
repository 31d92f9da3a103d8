"""The pictures in the docs, made from the real output (never drawn by hand).

``python tools/screenshots.py`` writes

- ``docs/img/check-demo.svg``: ``mixguard check --demo`` as a terminal draws it (rich's own SVG
  export of :func:`mixguard.terminal.render`, 100 columns, colour on);
- the table between ``<!-- notebook-table -->`` markers in ``docs/notebook.md``: the HTML that
  ``%mixguard pip install`` shows in a notebook (:func:`mixguard.notebook.report_html`).

The checkout's paths are shown as ``~/miniconda3/envs/tf29`` and ``file:///demo/index/simple``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from mixguard.api import check, load_environment
from mixguard.demo import DEMO_REQUIREMENTS, demo_index, demo_prefix
from mixguard.notebook import report_html
from mixguard.terminal import console, render

ROOT = Path(__file__).parents[1]
MARK = ("<!-- notebook-table -->", "<!-- /notebook-table -->")


def _shown(text: str) -> str:
    index = (demo_index() / "simple").as_uri()
    return text.replace(index, "file:///demo/index/simple").replace(
        str(demo_prefix()), "~/miniconda3/envs/tf29"
    )


def main() -> int:
    env = load_environment(demo=True)
    index = (demo_index() / "simple").as_uri()
    report = check(env, [*DEMO_REQUIREMENTS, "--index-url", index], offline=True)

    con = console(io.StringIO(), width=100, record=True, environ={})
    render(report, con)
    svg = _shown(con.export_svg(title="mixguard check --demo"))
    (ROOT / "docs" / "img" / "check-demo.svg").write_text(svg)

    page = ROOT / "docs" / "notebook.md"
    text = page.read_text()
    table = _shown(report_html(report))
    block = f"{MARK[0]}\n{table}\n{MARK[1]}"
    if MARK[0] in text:
        text = re.sub(
            re.escape(MARK[0]) + ".*?" + re.escape(MARK[1]), lambda _: block, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    page.write_text(text)
    print("wrote docs/img/check-demo.svg and the table in docs/notebook.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
