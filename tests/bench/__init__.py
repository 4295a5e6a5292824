"""`make bench`: load the real server with wrk on small and large datasets (see run.py)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
