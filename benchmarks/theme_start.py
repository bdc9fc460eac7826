"""Where the main thread's time goes while a built page starts, in Chromium with the CPU slowed
4x (as Lighthouse's mobile preset simulates it): the long tasks, what runs in each (trace events
and CPU profile samples), and Material's part named through the source map Material ships next to
its bundle (its TypeScript file and line, the deepest frame of Material's own code on the stack;
rxjs plumbing is counted where Material's code calls it).

    python benchmarks/theme_start.py SITE_DIR [--pages glossary/relu/ glossary/] [--start]

SITE_DIR is a built site (``mkdocs build -d SITE_DIR``); it is served on a local port. With
``--start``, Material is started as soon as the page has loaded (theme_script: interaction
holds it until the reader's first interaction), so its start-up is in the profile.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import json
from pathlib import Path
from typing import Any

from local_site import serving  # benchmarks/, the script's folder

B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
PREFIX = "src/templates/assets/javascripts/"
CATEGORIES = ",".join(
    (
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "disabled-by-default-devtools.timeline.stack",
        "v8.execute",
    )
)


class SourceMap:
    """A source map's mappings, decoded: generated (line, column) -> original (file, line)."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.sources: list[str] = [s.removeprefix(PREFIX) for s in data["sources"]]
        self.lines: list[list[tuple[int, int, int]]] = []
        src = line = 0
        for generated in data["mappings"].split(";"):
            segments: list[tuple[int, int, int]] = []
            column = 0
            for segment in filter(None, generated.split(",")):
                values = _vlq(segment)
                column += values[0]
                if len(values) >= 4:
                    src += values[1]
                    line += values[2]
                    segments.append((column, src, line))
            self.lines.append(segments)

    def lookup(self, line: int, column: int) -> tuple[str, int] | None:
        if not 0 <= line < len(self.lines):
            return None
        segments = self.lines[line]
        at = bisect.bisect_right([s[0] for s in segments], column) - 1
        if at < 0:
            return None
        return self.sources[segments[at][1]], segments[at][2] + 1


def _vlq(segment: str) -> list[int]:
    values, value, shift = [], 0, 0
    for char in segment:
        digit = B64[char]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            value = shift = 0
    return values


def _where(nodes: dict[int, Any], parent: dict[int, int], node: int, smap: SourceMap) -> str:
    """The deepest frame of Material's own code (not node_modules) or of another script."""
    at = node
    while at in nodes:
        frame = nodes[at]["callFrame"]
        if "/bundle." in frame["url"]:
            found = smap.lookup(frame["lineNumber"], frame["columnNumber"])
            if found and not found[0].startswith("node_modules/"):
                return f"{found[0]}:{found[1]}"
        elif frame["url"]:
            return f"{frame['url'].rsplit('/', 1)[-1]}:{frame['lineNumber'] + 1}"
        at = parent.get(at, -1)
    return str(nodes[node]["callFrame"]["functionName"] or "?")


def profile(url: str, smap: SourceMap, start: bool) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(
            viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        events: list[dict[str, Any]] = []
        done: list[bool] = []
        cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
        cdp.on("Tracing.tracingComplete", lambda e: done.append(True))
        cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
        cdp.send("Profiler.start")
        page.goto(url, wait_until="load")
        if start:
            page.evaluate("() => window.glossaryTheme && window.glossaryTheme.start()")
        page.wait_for_timeout(4000)
        cpu = cdp.send("Profiler.stop")["profile"]
        cdp.send("Tracing.end")
        while not done:
            page.wait_for_timeout(100)
        elements = page.evaluate("() => document.getElementsByTagName('*').length")
        titles = page.evaluate("() => document.querySelectorAll('[title]').length")
        browser.close()
    _report(url, cpu, events, smap)
    print(f"DOM: {elements} elements, {titles} with a title")


def _report(url: str, cpu: dict[str, Any], events: list[dict[str, Any]], smap: SourceMap) -> None:
    nodes = {n["id"]: n for n in cpu["nodes"]}
    parent = {c: n["id"] for n in cpu["nodes"] for c in n.get("children", [])}
    stamps, now = [], cpu["startTime"]
    for sample, delta in zip(cpu["samples"], cpu["timeDeltas"], strict=True):
        now += delta
        stamps.append((now, sample, delta))
    threads = collections.Counter(
        (e["pid"], e["tid"]) for e in events if e.get("name") in ("Layout", "UpdateLayoutTree")
    )
    pid, tid = threads.most_common(1)[0][0]
    main = [e for e in events if (e["pid"], e["tid"]) == (pid, tid) and e.get("ph") == "X"]
    origin = min(e["ts"] for e in main)
    tasks = sorted(
        (e for e in main if e["name"] == "RunTask" and e["dur"] > 50_000), key=lambda e: e["ts"]
    )
    blocking = sum(e["dur"] - 50_000 for e in tasks) / 1000
    print(f"== {url}: {len(tasks)} long tasks, {blocking:.0f} ms over 50 ms (CPU 4x slower)")
    whole: collections.Counter[str] = collections.Counter()
    for task in tasks:
        end = task["ts"] + task["dur"]
        kinds: collections.Counter[str] = collections.Counter()
        for e in main:
            if e is task or not task["ts"] <= e["ts"] < end:
                continue
            data = e.get("args", {}).get("data", {})
            if e["name"] == "EvaluateScript":
                kinds["run " + data.get("url", "").rsplit("/", 1)[-1]] += e["dur"]
            elif e["name"] == "EventDispatch":
                kinds["event " + data.get("type", "")] += e["dur"]
            elif e["name"] in ("Layout", "UpdateLayoutTree", "ParseHTML", "Paint", "TimerFire"):
                kinds[e["name"]] += e["dur"]
        samples: collections.Counter[str] = collections.Counter()
        for stamp, sample, delta in stamps:
            if task["ts"] <= stamp < end:
                samples[_where(nodes, parent, sample, smap)] += delta
        whole.update(samples)
        print(
            f"  @{(task['ts'] - origin) / 1000:5.0f} ms {task['dur'] / 1000:5.0f} ms: "
            + ", ".join(f"{k} {v / 1000:.0f}" for k, v in kinds.most_common(5))
        )
        print("      " + ", ".join(f"{k} {v / 1000:.0f}" for k, v in samples.most_common(6)))
    print("  in long tasks, by code (ms; '(program)': the browser's own work):")
    for name, time in whole.most_common(15):
        print(f"    {time / 1000:6.0f}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pages", nargs="+", default=["glossary/relu/", "glossary/"])
    parser.add_argument("--start", action="store_true", help="start Material at load")
    args = parser.parse_args()
    bundle = next((args.site / "assets" / "javascripts").glob("bundle.*.min.js"))
    smap = SourceMap(Path(f"{bundle}.map"))
    with serving(args.site) as url:
        for page in args.pages:
            profile(url + page, smap, args.start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
