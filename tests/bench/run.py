"""`make bench`: the stream pages under load (streams.py), then every bench_*.py module.

    python -m tests.bench.run            # the full run (1k and 100k posts)
    python -m tests.bench.run --quick    # a smoke run on small datasets
Protocol editing is measured on its own: `make bench-protocols`.
"""

import importlib
import sys
from pathlib import Path

from tests.bench import streams


def main(argv: list[str] | None = None) -> int:
    status = streams.main(argv)
    for name in sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py")):
        print(f"== {name}", flush=True)
        importlib.import_module(f"tests.bench.{name}").main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
