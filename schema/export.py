"""`python -m schema.export`: write the SDL of `build_schema()` to `schema/schema.graphql` (checked in).

The web app generates its types from that file, and `tests/schema/test_export.py` fails when it drifts from
the code. `--check` exits 1 instead of writing when the file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from schema.build import build_schema

SDL_PATH = Path(__file__).with_name("schema.graphql")


def export_sdl() -> str:
    """The schema's SDL as it is checked in (development settings: the full contract)."""
    return build_schema().as_str().rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sdl = export_sdl()
    if "--check" in args:
        current = SDL_PATH.read_text(encoding="utf-8") if SDL_PATH.exists() else ""
        if current != sdl:
            print(f"{SDL_PATH} is out of date; run: python -m schema.export", file=sys.stderr)
            return 1
        return 0
    SDL_PATH.write_text(sdl, encoding="utf-8")
    print(f"wrote {SDL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
