"""How long from saving an entry to ``mkdocs serve`` serving the changed pages?

For each N, generates N synthetic entries as ``benchmarks/build_scale.py`` does (with doctests
on, the doctest cache warmed by a first build), starts a real ``mkdocs serve`` subprocess and,
``--repeat`` times, rewrites one entry's summary with a new marker and watches two pages over
HTTP as a browser does (loads the page; until it shows the marker, waits on MkDocs' live-reload
poll and loads it again):

* the **edited** page (``glossary/<slug>/``);
* a **dependent** page: another term whose "Related terms" list shows the edited summary.

It times this for ``mkdocs serve --dirty`` (what ``scripts/serve`` runs: the plugin rebuilds only
the pages an edit changes) and, with ``--plain``, for plain ``mkdocs serve`` (every page is
rebuilt), and gives a full ``mkdocs build`` in a fresh process and the server's first build
(start to first page served) as references. Figures are medians; edits are ``--pause`` seconds
apart, as a writer's saves are. Targets (issue 25): edit to served <= 0.5 s at 1,000 entries,
<= 1.0 s at 3,000, the worst edit under 1.5x the median; the first and full builds no slower
than before.

**Restart** (issue 25: at least 3x faster): seconds (and the server's CPU seconds) from starting
``mkdocs serve --dirty`` to its first page served, cold (no record of an earlier server in the
cache folder; the entry and doctest caches warm, as for any server after the first) and
restarted (a new process, the same address, starting from the record the server before kept:
``glossary_gen/engines/mkdocs/restart.py``). The caches live in a private folder of the run
(``GLOSSARY_CACHE_DIR``), never the user's.

    python benchmarks/serve_reload.py [--sizes 1000,3000] [--repeat 5] [--plain] [--keep DIR]
                                      [--code DIR]   # another glossary_gen checkout to time
                                      [--restarts 3]  # restarts timed (0: none)

CPU seconds of the server process per edit are printed too (steadier on a busy machine).

**Engine floor** (``--floor``): the same edit under MkDocs + Material alone. The pages the plugin
publishes are written as ordinary Markdown files (``build_scale.py``'s baseline site: the term
pages with their related terms and tooltips, and the A-Z index) and served with plain
``mkdocs serve --dirty``; an edit rewrites the summary in every file that shows it, so MkDocs
rebuilds the same pages the plugin rebuilds. What is left between this figure and the plugin's is
the glossary's own work; this figure itself is out of the plugin's reach.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_plugin_site


def write_site(root: Path, n: int) -> Path:
    """The plugin site of build_scale.py, with doctests on and the doctest cache in the site."""
    return write_plugin_site(root / f"n{n}", n, plugin="  - glossary\n")


def pick_pages(site: Path) -> tuple[Path, str, str]:
    """An entry whose summary another term's page shows (as a related term): the entry file,
    its page and that other page (site-root-relative URLs)."""
    from glossary_gen.pipeline import load_and_link

    glossary, _ = load_and_link(site / "entries")
    for entry in glossary.published:
        for slug, related in glossary.related.items():
            if entry.slug in related and slug != entry.slug:
                return entry.file, f"glossary/{entry.slug}/", f"glossary/{slug}/"
    raise SystemExit("no entry is listed as another's related term")


#: The caches of the run (entries, doctests, the serve record): set by main().
CACHE: Path | None = None


def env_for(code: Path | None) -> dict[str, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if CACHE is not None:
        env["GLOSSARY_CACHE_DIR"] = str(CACHE)
    if code is not None:  # time another checkout of glossary_gen (e.g. main, for "before")
        env["PYTHONPATH"] = str(code) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def full_build(site: Path, code: Path | None) -> float:
    shutil.rmtree(site / "site", ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=site,
        env=env_for(code),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed in {site}:\n{result.stderr[-3000:]}")
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``mkdocs serve`` in a subprocess, on a free port."""

    def __init__(self, site: Path, dirty: bool, code: Path | None, port: int = 0) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        args = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"]
        if dirty:
            args.append("--dirty")
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - read and closed in stop()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            args, cwd=site, env=env_for(code), stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, page: str, timeout: float = 900) -> float:
        """Seconds from start until ``page`` is served (the first build)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"mkdocs serve exited:\n{self.log.read().decode()[-3000:]}")
            if fetch(self.base + page) is not None:
                return time.perf_counter() - self.started
            time.sleep(0.05)
        raise SystemExit("mkdocs serve did not start")

    def build_times(self) -> list[float]:
        """The build times the server logged ("Documentation built in X seconds")."""
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        return [float(x) for x in re.findall(r"Documentation built in ([0-9.]+) seconds", text)]

    def served_first(self) -> int:
        """How many saves the server previewed (served the saved page before the build)."""
        self.log.seek(0)
        return len(re.findall(rb"glossary: \S+ served first", self.log.read()))

    def stop(self) -> None:
        if os.environ.get("SERVE_RELOAD_LOG"):  # the server's output, to look into a run
            self.log.seek(0)
            Path(os.environ["SERVE_RELOAD_LOG"]).write_bytes(self.log.read())
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def time_edit(server: Server, entry: Path, pages: list[str], marker: str) -> list[float]:
    """Rewrite the entry's summary with ``marker``; seconds until each page shows it."""
    text = entry.read_text(encoding="utf-8")
    head, sep, rest = text.partition("### Summary\n\n")
    first, _, tail = rest.partition("\n")
    words = first.split(" ")
    words[0] = marker  # keep the length (and so the rest of the page) alike from edit to edit
    start = time.perf_counter()
    entry.write_text(head + sep + " ".join(words) + "\n" + tail, encoding="utf-8")
    return served_after(server, pages, marker, start)


def served_after(server: Server, pages: list[str], marker: str, start: float) -> list[float]:
    """Seconds from ``start`` (an edit) until each page is served with ``marker`` in it, the
    pages watched at the same time as a browser watches them: load the page, and until it
    shows the marker, wait on MkDocs' live-reload poll for a newer version of the site, then
    load it again. (Polling the pages over and over would compete with the build for the
    server's CPU, which no reader's browser does.)"""
    found: list[float | None] = [None] * len(pages)
    written = time.perf_counter()

    def watch(i: int) -> None:
        while time.perf_counter() - written < 120:
            body = fetch(server.base + pages[i])
            if body is not None and marker in body:
                found[i] = time.perf_counter() - start
                return
            reload = re.search(r"livereload\((\d+), (\d+)\)", body or "")
            if reload is None:  # no live reload (yet): look again shortly
                time.sleep(0.02)
                continue
            fetch(f"{server.base}livereload/{reload.group(1)}/{reload.group(2)}")

    threads = [threading.Thread(target=watch, args=(i,)) for i in range(len(pages))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if any(f is None for f in found):
        raise SystemExit(f"marker {marker} never appeared in {pages}")
    return [f for f in found if f is not None]


def measure_serve(
    site: Path, dirty: bool, repeat: int, pause: float, code: Path | None
) -> dict[str, float]:
    entry, edited, dependent = pick_pages(site)
    original = entry.read_text(encoding="utf-8")
    server = Server(site, dirty, code)
    try:
        first = server.wait_ready(edited)
        time.sleep(pause)
        rows, cpus = [], []
        for i in range(repeat):
            before = cpu_of(server.proc.pid)
            rows.append(time_edit(server, entry, [edited, dependent], f"Edited{i}x{os.getpid()}"))
            time.sleep(pause)
            cpus.append(cpu_of(server.proc.pid) - before)
        builds = server.build_times()[-repeat:]
        served_first = server.served_first()
    finally:
        server.stop()
        entry.write_text(original, encoding="utf-8")
    return {
        "served first": served_first,
        "first": first,
        "edited": statistics.median(r[0] for r in rows),
        "dependent": statistics.median(r[1] for r in rows),
        "worst": max(r[0] for r in rows),
        "worst dependent": max(r[1] for r in rows),
        "cpu": statistics.median(cpus),
        "build": statistics.median(builds) if builds else float("nan"),
    }


def measure_restart(site: Path, restarts: int, code: Path | None) -> dict[str, float]:
    """First page served (and CPU seconds until then) by a cold server and by restarts."""
    _entry, edited, _dependent = pick_pages(site)
    port = free_port()

    def start() -> tuple[float, float]:
        server = Server(site, True, code, port)
        try:
            first = server.wait_ready(edited)
            return first, cpu_of(server.proc.pid)
        finally:
            server.stop()

    colds, warms = [], []
    for _ in range(max(1, restarts // 2)):
        if CACHE is not None:
            shutil.rmtree(CACHE / "serve", ignore_errors=True)  # no earlier server's record
        colds.append(start())
    for _ in range(restarts):
        warms.append(start())
    return {
        "cold": statistics.median(c[0] for c in colds),
        "cold_cpu": statistics.median(c[1] for c in colds),
        "restart": statistics.median(w[0] for w in warms),
        "restart_cpu": statistics.median(w[1] for w in warms),
        "restart_worst": max(w[0] for w in warms),
    }


def measure_floor(plugin_site: Path, root: Path, repeat: int, pause: float) -> dict[str, float]:
    """Edit to served page under MkDocs + Material alone (see the module docstring)."""
    from build_scale import CONFIG, write_docs, write_same_pages

    from glossary_gen.pipeline import load_and_link
    from glossary_gen.site.text import plain_text

    entry_file, edited, dependent = pick_pages(plugin_site)
    site = root / f"floor-{plugin_site.name}"
    if not (site / "mkdocs.yml").is_file():
        write_docs(site)
        extra = "  - pymdownx.arithmatex:\n      generic: true\n"
        (site / "mkdocs.yml").write_text(CONFIG.format(extra_markdown=extra, extra_plugin=""))
        write_same_pages(plugin_site / "entries", site / "docs" / "glossary")
    glossary, _ = load_and_link(plugin_site / "entries")
    entry = next(e for e in glossary.published if e.file == entry_file)
    shown = plain_text(entry.summary).replace('"', "'")
    pages = sorted((site / "docs" / "glossary").glob("*.md"))
    originals = {p: p.read_text(encoding="utf-8") for p in pages}
    showing = [p for p, text in originals.items() if shown in text]
    server = Server(site, True, None)
    rows, cpus = [], []
    try:
        server.wait_ready(edited)
        time.sleep(pause)
        current = shown
        for i in range(repeat):
            marker = f"Floor{i}x{os.getpid()}"
            new = marker + current[current.find(" ") :]
            before = cpu_of(server.proc.pid)
            start = time.perf_counter()
            for page in showing:
                page.write_text(
                    page.read_text(encoding="utf-8").replace(current, new), encoding="utf-8"
                )
            current = new
            rows.append(served_after(server, [edited, dependent], marker, start))
            time.sleep(pause)
            cpus.append(cpu_of(server.proc.pid) - before)
        builds = server.build_times()[-repeat:]
    finally:
        server.stop()
        for page, text in originals.items():
            page.write_text(text, encoding="utf-8")
    return {
        "files": float(len(showing)),
        "edited": statistics.median(r[0] for r in rows),
        "dependent": statistics.median(r[1] for r in rows),
        "cpu": statistics.median(cpus),
        "build": statistics.median(builds) if builds else float("nan"),
    }


#: Issue 25's targets: edit to served page, seconds, by number of entries; restart speed-up.
EDIT_TARGET = {1000: 0.5, 3000: 1.0}
RESTART_TARGET = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000", help="comma-separated entry counts")
    parser.add_argument("--repeat", type=int, default=5, help="edits per server (median kept)")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between edits")
    parser.add_argument("--plain", action="store_true", help="also time plain `mkdocs serve`")
    parser.add_argument("--keep", type=Path, help="write the sites here and keep them")
    parser.add_argument("--code", type=Path, help="a glossary_gen checkout to time instead")
    parser.add_argument("--restarts", type=int, default=3, help="restarts timed (0: none)")
    parser.add_argument(
        "--floor", action="store_true", help="also time the same edit under MkDocs + Material alone"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    root = args.keep or Path(tempfile.mkdtemp(prefix="glossary-serve-reload-"))
    global CACHE
    CACHE = root / "cache"
    results = []
    restarts: dict[int, dict[str, float]] = {}
    floors: dict[int, dict[str, float]] = {}
    try:
        for n in sizes:
            site = root / f"n{n}"
            if not (site / "mkdocs.yml").is_file():
                write_site(root, n)
            full_build(site, args.code)  # runs the doctests once: the cache is warm from here
            full = min(full_build(site, args.code) for _ in range(2))
            fast = measure_serve(site, True, args.repeat, args.pause, args.code)
            plain = (
                measure_serve(site, False, max(1, args.repeat // 2), args.pause, args.code)
                if args.plain
                else None
            )
            results.append((n, full, fast, plain))
            if args.floor:
                floors[n] = measure_floor(site, root, args.repeat, args.pause)
                print(f"  N={n}: floor {floors[n]}", file=sys.stderr, flush=True)
            if args.restarts > 0:
                restarts[n] = measure_restart(site, args.restarts, args.code)
                print(f"  N={n}: restart {restarts[n]}", file=sys.stderr, flush=True)
            print(
                f"  N={n}: full build {full:.2f} s, serve --dirty {fast}, plain {plain}",
                file=sys.stderr,
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    print(
        f"{'N':>6}  {'full build':>10}  {'first build':>11}  {'edited page':>11}  "
        f"{'dependent':>9}  {'worst':>6}  {'rebuild':>7}  {'CPU/edit':>8}  {'served first':>12}"
        + (f"  {'plain serve: edited':>19}  {'dependent':>9}" if args.plain else "")
    )
    for n, full, fast, plain in results:
        line = (
            f"{n:>6}  {full:>9.2f}s  {fast['first']:>10.2f}s  {fast['edited']:>10.2f}s  "
            f"{fast['dependent']:>8.2f}s  {fast['worst']:>5.2f}s  {fast['build']:>6.2f}s  "
            f"{fast['cpu']:>7.2f}s  {fast['served first']:>5.0f} of {args.repeat:<4}"
        )
        if plain is not None:
            line += f"  {plain['edited']:>18.2f}s  {plain['dependent']:>8.2f}s"
        print(line)
    print(
        "edited / dependent = median seconds from saving the entry to the page served with the "
        "new summary (mkdocs serve --dirty); worst = the edited page's slowest; rebuild = the build "
        "time the server logs (the rest is noticing the change); CPU/edit = the server's CPU "
        "seconds per edit; first build = serve start to first page; full build = mkdocs build in "
        "a fresh process (best of 2); served first = the edits whose page the server made "
        "before its build (glossary_gen/engines/mkdocs/preview.py: the browsers reload then, "
        "and again after the build when it changed other pages, as the dependent one)"
    )
    print("\ntargets (issue 25), in this run:")
    for n, _full, fast, _plain in results:
        target = EDIT_TARGET.get(n)
        worst = fast["worst"] / fast["edited"] if fast["edited"] else float("nan")
        print(
            f"  N={n}: edit to served {fast['edited']:.2f} s (CPU {fast['cpu']:.2f} s), "
            f"target <= {target if target is not None else '-'} s; worst {worst:.2f}x the "
            f"median, target < 1.5x"
        )
    for n, r in floors.items():
        print(
            f"  N={n}: MkDocs + Material alone, the same edit ({r['files']:.0f} files): edit to "
            f"served {r['edited']:.2f} s (dependent {r['dependent']:.2f} s, rebuild "
            f"{r['build']:.2f} s, CPU {r['cpu']:.2f} s): the engine's floor under the target"
        )
    for n, r in restarts.items():
        print(
            f"  N={n}: first page served: cold {r['cold']:.2f} s (CPU {r['cold_cpu']:.2f} s), "
            f"restart {r['restart']:.2f} s (CPU {r['restart_cpu']:.2f} s, worst "
            f"{r['restart_worst']:.2f} s): {r['cold'] / r['restart']:.1f}x faster, "
            f"target >= {RESTART_TARGET:.0f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
