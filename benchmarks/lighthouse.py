"""Lighthouse 12 on the built site: the ReLU page and the A-Z index, mobile preset (Lighthouse's
default: a mid-range phone on a slow 4G connection, simulated), served locally with gzip as GitHub
Pages serves it. Prints the four category scores and the main metrics of each page.

    python benchmarks/lighthouse.py [--pages glossary/relu/ glossary/] [--site DIR] [--runs 1]
                                    [--lighthouse 'npx --yes lighthouse@12.8.2'] [--keep DIR]
                                    [--cpu-slowdown N]

Without ``--site`` it builds the glossary (``mkdocs build``, with ``site_url`` the local server's
address, so Material's instant navigation is on as when published). Lighthouse is not a
dependency of the project (it is large): the default runs the pinned version through ``npx``.
Chromium is ``CHROME_PATH`` (default ``/usr/bin/chromium``). Targets (issue 23): performance
>= 95, accessibility, best practices and SEO 100. On a busy machine, performance varies from run
to run (total blocking time above all): ``--runs 3`` reports the median.

Simulated throttling multiplies the CPU time it observes by 4, a factor meant for a desktop-class
host; Lighthouse's own benchmark of this host (``benchmarkIndex``, printed with each page) is
lower on a slow or busy machine, and every CPU-bound metric (TBT, and FCP/LCP when the first paint
waits for scripts) grows with it. ``--cpu-slowdown N`` sets the factor (calibrated runs only: the
targets are for the default).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from local_site import QuietHandler, serving  # benchmarks/, the script's folder

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = "npx --yes lighthouse@12.8.2"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "total-byte-weight",
)
#: What a static host compresses (GitHub Pages gzips these).
COMPRESSED = (".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt", "/")


class _GzipHandler(QuietHandler):
    """Static files, gzipped for clients that accept it, with the types Pyodide needs."""

    def do_GET(self) -> None:
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if (
            not wants
            or not self.path.split("?")[0].endswith(COMPRESSED)
            or not os.path.isfile(path)
        ):
            super().do_GET()
            return
        with open(path, "rb") as handle:
            body = gzip.compress(handle.read(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def build(site: Path, url: str) -> None:
    env = {**os.environ, "GLOSSARY_SITE_URL": url, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_lighthouse(
    command: str, url: str, out: Path, cpu_slowdown: float | None = None
) -> dict[str, object]:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    extra = [] if cpu_slowdown is None else [f"--throttling.cpuSlowdownMultiplier={cpu_slowdown}"]
    subprocess.run(
        [
            *shlex.split(command),
            url,
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox",
            "--output=json",
            f"--output-path={out}",
            *extra,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", default=["glossary/relu/", "glossary/"])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--lighthouse", default=LIGHTHOUSE, help="the command that runs Lighthouse")
    parser.add_argument("--keep", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument(
        "--cpu-slowdown", type=float, help="simulated CPU slowdown (Lighthouse's default: 4)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.site or Path(tmp) / "site"
        folder.mkdir(parents=True, exist_ok=True)
        with serving(folder, _GzipHandler) as url:
            if args.site is None:
                build(folder, url)
            reports = args.keep or Path(tmp) / "reports"
            reports.mkdir(parents=True, exist_ok=True)
            for page in args.pages:
                scores: dict[str, list[float]] = {c: [] for c in CATEGORIES}
                metrics: dict[str, list[float]] = {m: [] for m in METRICS}
                benchmark: list[float] = []
                for run in range(args.runs):
                    name = (page.strip("/").replace("/", "_") or "home") + f"-{run}.json"
                    report = run_lighthouse(
                        args.lighthouse, url + page, reports / name, args.cpu_slowdown
                    )
                    environment = report["environment"]
                    assert isinstance(environment, dict)
                    benchmark.append(environment["benchmarkIndex"])
                    categories = report["categories"]
                    audits = report["audits"]
                    assert isinstance(categories, dict) and isinstance(audits, dict)
                    for c in CATEGORIES:
                        scores[c].append(round(categories[c]["score"] * 100))
                    for m in METRICS:
                        metrics[m].append(audits[m]["numericValue"])
                shown = ", ".join(f"{c} {statistics.median(v):.0f}" for c, v in scores.items())
                fcp, lcp, tbt, cls, weight = (statistics.median(metrics[m]) for m in METRICS)
                print(
                    f"{page or '/'}: {shown} | FCP {fcp / 1000:.1f} s, LCP {lcp / 1000:.1f} s, "
                    f"TBT {tbt:.0f} ms, CLS {cls:.3f}, {weight / 1024:.0f} KiB | "
                    f"host benchmarkIndex {statistics.median(benchmark):.0f}, "
                    f"load average {os.getloadavg()[0]:.2f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
