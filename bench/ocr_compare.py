"""OCR engines compared on the same scanned pages: foiatool's direct tesseract call, pytesseract, OCRmyPDF.

``python bench/ocr_compare.py [SCANS] [--corpus DIR] [--count 20] [--repeat 2] [--json OUT]``

SCANS is a folder of image-only PDFs made by ``bench/clinton_pdfs.py OUT --scans`` (default
/tmp/cl150/scans); the original text of ``<ID>.pdf`` is ``CORPUS/<ID>.txt``. The first page of
each of the first ``--count`` files (sorted) is cut into a one-page PDF, and every engine reads
that same file:

* direct: ``foiatool.sources.printed.ocr.run_page`` (pdftoppm at 300 dpi gray, ``tesseract --psm 6``);
* pytesseract: the same pdftoppm rendering, then ``pytesseract.image_to_string`` with ``--psm 6``;
* ocrmypdf: ``ocrmypdf.ocr`` in this process, text only (``--sidecar``, ``--output-type none``),
  ``--force-ocr --tesseract-pagesegmode 6 -j 1 --oversample 300`` (the scans are 200 dpi, and
  foiatool renders at 300).

Every engine runs tesseract on one thread (OMP_THREAD_LIMIT=1), as foiatool does. The engines
alternate page by page, ``--repeat`` rounds, in a rotating order, and each page keeps its best
time per engine, so load from other work on a shared machine weighs on all three alike.

Measured per engine: seconds a page (best of the rounds, summed over pages, divided by pages);
accuracy as the difflib ratio of the first 25 non-empty lines (whitespace folded) against the
original page's; and how many pages give a top printed header (the first line where
``printed_header_at`` finds one) whose From/Sent/Subject equal those found on the original page.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCH = Path(__file__).resolve().parent
DEFAULT_SCANS = Path("/tmp/cl150/scans")
DEFAULT_CORPUS = BENCH.parent.parent / "shared" / "corpora" / "clinton-august"
FIRST_LINES = 25
HEADER_FIELDS = ("from", "sent", "subject")

# Set before any engine starts: pytesseract and OCRmyPDF call the tesseract binary, which reads it.
os.environ["OMP_THREAD_LIMIT"] = "1"


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def first_lines(text: str, count: int = FIRST_LINES) -> str:
    """The first ``count`` non-empty lines, each with its whitespace folded to single spaces."""
    return "\n".join([fold(line) for line in text.splitlines() if line.strip()][:count])


def similarity(ocr: str, original: str) -> float:
    return difflib.SequenceMatcher(None, first_lines(ocr), first_lines(original), autojunk=False).ratio()


def top_header(text: str) -> dict[str, str] | None:
    """From/Sent/Subject of the first printed header block on the page (values folded), or None."""
    from foiatool.sources.printed.split import printed_header_at

    lines = text.splitlines()
    for index in range(len(lines)):
        header = printed_header_at(lines, index)
        if header is not None:
            return {name: fold(header.fields.get(name, "")) for name in HEADER_FIELDS}
    return None


def original_page(corpus: Path, doc: str) -> str:
    """The first page of the document as bench/clinton_pdfs.py printed it (empty pages are not printed)."""
    text = (corpus / f"{doc}.txt").read_text(encoding="utf-8", errors="replace")
    pages = [page for page in text.split("\f") if page.strip()] or [""]
    return pages[0]


def render(pdf: Path, folder: str) -> Path:
    """The page as run_page renders it (same pdftoppm flags), for pytesseract."""
    from foiatool.sources.printed.ocr import DPI, ocr_tools

    _, pdftoppm = ocr_tools()
    image = Path(folder) / "page"
    subprocess.run([pdftoppm, "-r", str(DPI), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(pdf), str(image)], check=True, capture_output=True)
    return image.with_suffix(".png")


def direct(pdf: Path) -> str:
    from foiatool.sources.printed.ocr import PageTask, run_page

    result = run_page(PageTask(str(pdf), "", 1, ""))
    if result.error:
        raise RuntimeError(result.error)
    return result.text


def with_pytesseract(pdf: Path) -> str:
    import pytesseract
    from PIL import Image

    from foiatool.sources.printed.ocr import PAGE_SEGMENTATION

    with tempfile.TemporaryDirectory(prefix="ocrcmp-") as folder:
        with Image.open(render(pdf, folder)) as image:
            return pytesseract.image_to_string(image, config=f"--psm {PAGE_SEGMENTATION}")


def with_ocrmypdf(pdf: Path) -> str:
    import ocrmypdf

    from foiatool.sources.printed.ocr import DPI, PAGE_SEGMENTATION

    with tempfile.TemporaryDirectory(prefix="ocrcmp-") as folder:
        sidecar = Path(folder) / "page.txt"
        code = ocrmypdf.ocr(pdf, "-", sidecar=sidecar, output_type="none", force_ocr=True,
                            tesseract_pagesegmode=PAGE_SEGMENTATION, jobs=1, oversample=DPI, progress_bar=False)
        if code != 0:
            raise RuntimeError(f"ocrmypdf exit {code}")
        return sidecar.read_text(encoding="utf-8", errors="replace")


ENGINES: dict[str, Callable[[Path], str]] = {"direct": direct, "pytesseract": with_pytesseract, "ocrmypdf": with_ocrmypdf}


def one_page_pdfs(scans: Path, count: int, out: Path) -> list[tuple[str, Path]]:
    from pypdf import PdfReader

    from foiatool.sources.printed.ocr import one_page_pdf

    pages = []
    for pdf in sorted(scans.glob("*.pdf"))[:count]:
        target = out / pdf.name
        target.write_bytes(one_page_pdf(PdfReader(pdf), 1))
        pages.append((pdf.stem, target))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scans", type=Path, nargs="?", default=DEFAULT_SCANS)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2, help="rounds; each page keeps its best time per engine")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("ocrmypdf").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="ocrcmp-pages-") as work:
        pages = one_page_pdfs(args.scans, args.count, Path(work))
        if len(pages) < args.count:
            raise SystemExit(f"only {len(pages)} PDFs under {args.scans}; "
                             f"make them with python bench/clinton_pdfs.py OUT --count {args.count} --scans")
        missing = [doc for doc, _ in pages if not (args.corpus / f"{doc}.txt").exists()]
        if missing:
            raise SystemExit(f"no original text for {', '.join(missing[:3])} in {args.corpus}")
        loads = [os.getloadavg()[0]]
        names = list(ENGINES)
        best: dict[str, dict[str, float]] = {name: {} for name in names}
        texts: dict[str, dict[str, str]] = {name: {} for name in names}
        for round_ in range(args.repeat):
            for number, (doc, pdf) in enumerate(pages):
                # Rotate which engine goes first so none always runs right after another's cache warm-up.
                shift = (number + round_) % len(names)
                for name in names[shift:] + names[:shift]:
                    start = time.perf_counter()
                    text = ENGINES[name](pdf)
                    seconds = time.perf_counter() - start
                    best[name][doc] = min(seconds, best[name].get(doc, float("inf")))
                    texts[name][doc] = text
            loads.append(os.getloadavg()[0])
            print(f"round {round_ + 1} done (load {loads[-1]:.1f})", file=sys.stderr, flush=True)

    originals = {doc: original_page(args.corpus, doc) for doc, _ in pages}
    headers = {doc: top_header(text) for doc, text in originals.items()}
    with_header = [doc for doc, header in headers.items() if header]
    report: dict[str, object] = {"pages": len(pages), "repeat": args.repeat, "load": loads,
                                 "original_headers": len(with_header), "engines": {}}
    print(f"{len(pages)} pages, {len(with_header)} with a printed header on the original; "
          f"load average {min(loads):.1f}-{max(loads):.1f}")
    print(f"{'engine':<12} {'s/page':>7} {'first 25 lines':>15} {'header From/Sent/Subject':>25}")
    for name in names:
        seconds = sum(best[name].values()) / len(pages)
        ratios = [similarity(texts[name][doc], originals[doc]) for doc, _ in pages]
        matched = sum(1 for doc in with_header if top_header(texts[name][doc]) == headers[doc])
        accuracy = sum(ratios) / len(ratios)
        report["engines"][name] = {"seconds_per_page": seconds, "similarity": accuracy, "min_similarity": min(ratios),  # type: ignore[index]
                                   "headers_equal": matched, "page_seconds": best[name]}
        print(f"{name:<12} {seconds:>7.2f} {accuracy:>15.4f} {matched:>19} / {len(with_header)}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
