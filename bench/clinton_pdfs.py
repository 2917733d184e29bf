"""Release PDFs made from the Clinton release's text documents: text PDFs, and image-only scans.

``python bench/clinton_pdfs.py OUT [--docs IDS_FILE | --count N] [--scans] [--dpi 200]``

Each form-feed page of a document's .txt becomes one PDF page with the text laid out as
printed (a fixed-width font, the same line breaks). ``--scans`` also renders every text
PDF with poppler's ``pdftoppm`` and wraps the page images into an image-only PDF, the shape
an agency's scanner produces, which foiatool reads only with ``--ocr``.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_FOLDER = BENCH.parent.parent / "shared" / "corpora" / "clinton-august"
_PAGE_W, _PAGE_H = 215.9, 279.4  # US Letter, mm
_FONT_SIZE = 7.0
_LINE_H = 3.1


def text_pdf(text: str, out: Path) -> int:
    """``text`` (pages split on form feeds) as a text PDF at ``out``; returns the page count."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="Letter")
    pdf.set_auto_page_break(False)
    pdf.set_margins(8, 8, 8)
    pages = [page for page in text.split("\f") if page.strip()] or [""]
    for page in pages:
        pdf.add_page()
        pdf.set_font("Courier", size=_FONT_SIZE)
        y = 8.0
        for line in page.split("\n"):
            if y > _PAGE_H - 8:
                pdf.add_page()
                pdf.set_font("Courier", size=_FONT_SIZE)
                y = 8.0
            safe = line.rstrip().encode("latin-1", "replace").decode("latin-1")
            if safe:
                pdf.text(8, y, safe[:150])
            y += _LINE_H
    pdf.output(str(out))
    return len(pages)


def scan_pdf(text_pdf_path: Path, out: Path, dpi: int = 200) -> None:
    """An image-only PDF of ``text_pdf_path``: each page rendered by poppler, nothing but the picture kept."""
    from fpdf import FPDF

    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is missing: apt-get install poppler-utils (or make ocr-deps)")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(text_pdf_path), f"{work}/p"], check=True)
        pdf = FPDF(unit="mm", format="Letter")
        pdf.set_auto_page_break(False)
        for image in sorted(Path(work).glob("p*.png")):
            pdf.add_page()
            pdf.image(str(image), x=0, y=0, w=_PAGE_W, h=_PAGE_H)
        pdf.output(str(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--docs", type=Path, help="a file of document ids, one a line")
    parser.add_argument("--count", type=int, default=300, help="a seeded sample of this many documents")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--scans", action="store_true", help="also write image-only PDFs under OUT/scans")
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args(argv)
    if args.docs:
        ids = [line.strip() for line in args.docs.read_text().splitlines() if line.strip()]
    else:
        names = sorted(p.stem for p in args.folder.glob("*.txt"))
        ids = sorted(random.Random(args.seed).sample(names, min(args.count, len(names))))
    text_dir = args.out / "text"
    text_dir.mkdir(parents=True, exist_ok=True)
    pages = 0
    for doc in ids:
        pages += text_pdf((args.folder / f"{doc}.txt").read_text(encoding="utf-8", errors="replace"), text_dir / f"{doc}.pdf")
    print(f"{len(ids)} text PDFs, {pages} pages, in {text_dir}", file=sys.stderr)
    if args.scans:
        scan_dir = args.out / "scans"
        scan_dir.mkdir(parents=True, exist_ok=True)
        for doc in ids:
            scan_pdf(text_dir / f"{doc}.pdf", scan_dir / f"{doc}.pdf", args.dpi)
        print(f"{len(ids)} image-only PDFs in {scan_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
