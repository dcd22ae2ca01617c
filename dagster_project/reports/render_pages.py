"""Renders pages of a report PDF to PNG with poppler's pdftoppm (the README screenshot).

    python -m dagster_project.reports.render_pages data/reports/2026-10/bao-cao-chi-so-2026-10.pdf [out.png] [--page N]

pdftoppm comes from the Debian package poppler-utils (apt-get install poppler-utils).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path


def render_page(pdf: Path, png: Path | None = None, *, page: int = 1, dpi: int = 110) -> Path:
    """Writes page `page` of `pdf` to `png` (default: beside the PDF, -p<page>.png) and returns it."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise RuntimeError("pdftoppm not found: install the Debian package poppler-utils")
    pdf = Path(pdf)
    png = Path(png) if png else pdf.with_name(f"{pdf.stem}-p{page}.png")
    png.parent.mkdir(parents=True, exist_ok=True)
    # -singlefile writes exactly <prefix>.png instead of a page-numbered name.
    subprocess.run([exe, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(png.with_suffix(""))], check=True)
    return png


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("png", type=Path, nargs="?")
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args(argv)
    print(render_page(args.pdf, args.png, page=args.page, dpi=args.dpi))


if __name__ == "__main__":
    main()
