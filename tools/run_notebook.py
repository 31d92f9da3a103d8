"""Execute the notebooks (CI): every cell must run, offline, on the demo data.

``python tools/run_notebook.py notebooks/*.ipynb``; with ``--write`` the executed notebook
(outputs included) replaces the file. Cells run with the notebook's folder as working
directory, so ``../docs/img/...`` lands in the docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(argv: list[str]) -> int:
    write = "--write" in argv
    for name in (a for a in argv if a != "--write"):
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        print(f"executed {path}: {len(nb.cells)} cells")
        if write:
            # the outputs kept in the repository name no checkout's location
            root = str(Path(__file__).resolve().parents[1])
            text = nbformat.writes(nb).replace(f"file://{root}/", "file:///").replace(root, ".")
            path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
