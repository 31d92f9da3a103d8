"""Print ``pip install``'s options as a pip wheel's own parser declares them (run by hand).

``python tools/dump_pip_options.py tests/data/pip/pip-25.3-py3-none-any.whl`` gives the names,
``dest``, action and whether each takes a value: the data of
``src/mixguard/resolve/_pip_options.py`` (whose roles -- plan, inert, refused -- are mixguard's).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ["PIP_CONFIG_FILE"] = os.devnull  # the declared defaults, not this machine's
    sys.path.insert(0, sys.argv[1])
    from pip._internal.commands import create_command

    for opt in create_command("install").parser._get_all_options():
        if opt.dest is None:
            continue
        names = " ".join(opt._long_opts + opt._short_opts)
        print(f"{names:50} {opt.dest:30} {opt.action:12} {opt.takes_value()}")


if __name__ == "__main__":
    main()
