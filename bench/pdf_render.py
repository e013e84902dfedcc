"""How long Billing takes to render a consolidated statement PDF, by number of sub-service sections.

The statement is the one document whose size grows with the customer: an MDU or enterprise account with 1,000
sub-services gets a section for each (a title, two charge lines and a subtotal), 25+ pages. Each size is
rendered once to warm up, then `--repeats` times in this process (fpdf2 is pure Python, single-threaded);
the table gives the median and worst wall time, the median CPU time of this process (steadier than wall time
when other work shares the machine), the pages and the bytes. The target, which a test used to assert with a
wall clock, is a 1,000-section statement in under 2 s.
Run: `python bench/pdf_render.py [--repeats 10] [--write]` (`--write` updates bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dashboard import machine_load  # noqa: E402
from bench.results import write_section  # noqa: E402
from sandbox.billing.pdf import PdfLine, StatementDocument, StatementSection, statement_pdf  # noqa: E402

SIZES = (10, 100, 1000)
TARGET_SECTIONS = 1000
TARGET_S = 2.0


@dataclass(frozen=True)
class Result:
    sections: int
    wall_s: list[float]
    cpu_s: list[float]
    pages: int
    size: int


def statement(sections: int) -> StatementDocument:
    return StatementDocument(
        isp_name="Skyline Wireless",
        isp_address="12 Tower Road\nSpringfield, IL 62701",
        subscriber_name="Maple Court Apartments LLC",
        account_number="ACC-000777",
        generated_on=date(2026, 11, 25),
        currency="USD",
        sections=tuple(
            StatementSection(
                title=f"Internet – Apt {100 + i}",
                lines=(PdfLine("Residential 100/20 Mbps", "49.99"), PdfLine("Static IP add-on", "5.00")),
                subtotal="54.99",
            )
            for i in range(sections)
        ),
        open_invoices=(
            ("INV-2026-000501", date(2026, 12, 1), "54.99"),
            ("INV-2026-000502", date(2026, 12, 5), "9.50"),
        ),
        total_outstanding="64.49",
        wallet_balance="12.50",
    )


def measure(sections: int, repeats: int) -> Result:
    doc = statement(sections)
    data = statement_pdf(doc)  # warm-up: fonts, caches
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = statement_pdf(doc)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Result(sections, wall, cpu, len(PdfReader(io.BytesIO(data)).pages), len(data))


def report(results: list[Result], repeats: int, load: tuple[str, str]) -> str:
    target = next(r for r in results if r.sections == TARGET_SECTIONS)
    met = statistics.median(target.wall_s) < TARGET_S
    lines = [
        "## Statement PDF rendering (`bench/pdf_render.py`)",
        "",
        "A consolidated statement with N sub-service sections (a title, two charge lines and a subtotal each),",
        f"rendered by `sandbox.billing.pdf.statement_pdf` in one process: 1 warm-up, then {repeats} renders per N.",
        f"Target: {TARGET_SECTIONS:,} sections in under {TARGET_S:g} s (median wall time).",
        "",
        f"Machine load at start: {load[0]}; at end: {load[1]}.",
        "",
        "| N sections | pages | bytes | median wall (ms) | worst wall (ms) | median CPU (ms) |",
        "|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {r.sections:,} | {r.pages} | {r.size:,} | {statistics.median(r.wall_s) * 1000:.0f}"
            f" | {max(r.wall_s) * 1000:.0f} | {statistics.median(r.cpu_s) * 1000:.0f} |"
            for r in results
        ],
        "",
        f"Target {'met' if met else 'missed'}: {TARGET_SECTIONS:,} sections in"
        f" {statistics.median(target.wall_s):.2f} s median wall time"
        f" ({statistics.median(target.cpu_s):.2f} s CPU).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10, help="renders per size after the warm-up")
    parser.add_argument(
        "--write", action="store_true", help="update the pdf-render section of bench/RESULTS.md"
    )
    args = parser.parse_args()
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    start_load = machine_load()
    results = []
    for sections in SIZES:
        result = measure(sections, args.repeats)
        results.append(result)
        print(
            f"N={sections:>5}  pages={result.pages:>3}  median {statistics.median(result.wall_s) * 1000:.0f} ms"
            f"  (CPU {statistics.median(result.cpu_s) * 1000:.0f} ms)"
        )
    text = report(results, args.repeats, (start_load, machine_load()))
    print(text)
    if args.write:
        write_section("pdf-render", text)


if __name__ == "__main__":
    main()
