"""How fast are `import --from hugo`, `init --from hugo` and `check --no-doctest` on a real-sized
Hugo glossary?

Generates a Hugo site whose glossary section has N pages (431 by default, the size of the public
glossary the issue was tried on): YAML and TOML front matter, nested sections and page bundles,
``ref``/``relref`` shortcodes to glossary pages and to other sections, ``figure``/``notice``/
``highlight`` shortcodes, URL and name aliases, ``date``/``lastmod``, related terms in the front
matter and in "See also" lines. Then times, each as a fresh process (what a user waits for):

* ``glossary-gen import --from hugo SECTION`` into an empty project (default sections);
* ``glossary-gen init PROJECT --from hugo SECTION`` (sections fitted, all files written);
* ``glossary-gen check --no-doctest`` in that new project;

and the same three in-process (without the interpreter's start-up), with the best of
``--repeat`` runs. Targets (issue 13): import under 2 s, check under 1 s.

    python benchmarks/import_scale.py [-n 431] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import WORDS

from glossary_gen.cli import main

TOPICS = ["basics", "optimizers", "losses", "layers", "metrics", "regularization"]


def title_of(i: int) -> str:
    return f"{WORDS[i % len(WORDS)].title()} {WORDS[(i * 7) % len(WORDS)].title()} {i}"


def slug_of(i: int) -> str:
    return title_of(i).lower().replace(" ", "-")


def place(i: int) -> tuple[str, bool]:
    """(subsection folder or "", is a page bundle) of page i."""
    folder = TOPICS[i % len(TOPICS)] if i % 3 else ""
    return folder, i % 11 == 0


def url_of(i: int) -> str:
    folder, _ = place(i)
    return "/glossary/" + (f"{folder}/" if folder else "") + slug_of(i) + "/"


def page(i: int, n: int, rng: random.Random) -> str:
    others = rng.sample([k for k in range(n) if k != i], 4)
    related = [title_of(others[0]), slug_of(others[1])]
    day = f"20{18 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    folder, _ = place(i)
    aliases = [f"/old/{slug_of(i)}/", f"{WORDS[i % len(WORDS)].upper()}{i}"]
    if i % 10 < 7:  # YAML
        front = (
            "---\n"
            f"title: {title_of(i)}\n"
            f"date: {day}T10:00:00Z\n"
            + (f"lastmod: {day}\n" if i % 2 else "")
            + f"tags: [{folder or 'general'}, deep-learning]\n"
            f"aliases: [{', '.join(aliases)}]\n"
            f"related: [{', '.join(related)}]\n"
            f"weight: {i}\n"
            + (f"description: A short definition of {title_of(i).lower()}.\n" if i % 4 == 0 else "")
            + "---\n"
        )
    else:  # TOML
        front = (
            "+++\n"
            f'title = "{title_of(i)}"\n'
            f"date = {day}T10:00:00Z\n"
            f'tags = ["{folder or "general"}"]\n'
            f"aliases = {aliases!r}\n".replace("'", '"')
            + "\n[params]\n"
            + f"see_also = {related!r}\n".replace("'", '"')
            + "+++\n"
        )
    target = others[2]
    rel = "../" * (2 if folder else 1) + ("" if not place(target)[0] else place(target)[0] + "/")
    body = [
        f"{title_of(i)} is a term of this glossary, defined here in one sentence that is long "
        "enough to be a realistic summary of what it means.",
        "",
        "<!--more-->",
        "",
    ]
    if i % 2:
        body += [
            "## In simple terms",
            "",
            "An everyday picture of the idea, without jargon, in a couple of sentences.",
            "",
            "## Details",
            "",
        ]
    body += [
        f"It is closely related to [{title_of(target).lower()}]({rel}{slug_of(target)}/) and to "
        f'[the next one]({{{{< ref "{slug_of(others[3])}" >}}}}). The guide on '
        f'[training]({{{{< relref "/guides/training.md" >}}}}) shows it in practice, and the '
        f"[tools page](/tools/{WORDS[i % len(WORDS)]}/) lists libraries.",
        "",
    ]
    if i % 5 == 0:
        body += ['{{< figure src="diagram.png" caption="A diagram" >}}', ""]
    if i % 7 == 0:
        body += ["{{< notice tip >}}", "A practical tip about this term.", "{{< /notice >}}", ""]
    if i % 9 == 0:
        body += [
            "{{< highlight python >}}",
            f">>> {i} + 1",
            f"{i + 1}",
            "{{< /highlight >}}",
            "",
        ]
    body += [f"See also: {title_of(others[3])}, {title_of(others[0])}"]
    return front + "\n".join(body) + "\n"


def generate(root: Path, n: int) -> Path:
    content = root / "site" / "content"
    section = content / "glossary"
    rng = random.Random(13)
    (content / "guides").mkdir(parents=True)
    (content / "guides" / "training.md").write_text("---\ntitle: Training\n---\nA guide.\n")
    section.mkdir(parents=True)
    (section / "_index.md").write_text("---\ntitle: Glossary\n---\n")
    for topic in TOPICS:
        (section / topic).mkdir()
        (section / topic / "_index.md").write_text(f"---\ntitle: {topic.title()}\n---\n")
    for i in range(n):
        folder, bundle = place(i)
        base = section / folder if folder else section
        path = base / slug_of(i) / "index.md" if bundle else base / f"{slug_of(i)}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(i, n, rng), encoding="utf-8")
    return section


def best(repeat: int, action) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds (this process and its children: on a busy machine
    the wall clock mostly measures waiting)."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = _cpu()
        start = time.perf_counter()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - before)
    return min(walls), min(cpus)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def quiet(args: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(args)


def process(args: list[str], cwd: Path) -> None:
    program = Path(sys.executable).with_name("glossary-gen")
    command = [str(program)] if program.exists() else [sys.executable, "-m", "glossary_gen.cli"]
    result = subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )
    if result.returncode != 0:
        raise SystemExit(f"glossary-gen {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=431, help="pages in the glossary section")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        section = generate(root, args.n)
        md = sum(1 for _ in section.rglob("*.md"))
        size = sum(p.stat().st_size for p in section.rglob("*.md"))
        print(f"Hugo section: {md} Markdown files ({args.n} terms), {size / 1024:.0f} KiB")

        def fresh(name: str) -> Path:
            folder = root / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            return folder

        os.chdir(root)

        def do_import_process() -> None:
            process(["import", "--from", "hugo", str(section)], fresh("imported"))

        def do_init_process() -> None:
            shutil.rmtree(root / "project", ignore_errors=True)
            process(["init", "project", "--from", "hugo", str(section)], root)

        def do_check_process() -> None:
            process(["check", "--no-doctest"], root / "project")

        figures = {
            "import (process)": best(args.repeat, do_import_process),
            "init --from hugo (process)": best(args.repeat, do_init_process),
            "check --no-doctest (process)": best(args.repeat, do_check_process),
        }

        def do_import() -> None:
            os.chdir(fresh("imported"))
            assert quiet(["import", "--from", "hugo", str(section)]) == 0

        def do_init() -> None:
            os.chdir(root)
            shutil.rmtree(root / "project", ignore_errors=True)
            assert quiet(["init", "project", "--from", "hugo", str(section)]) == 0

        def do_check() -> None:
            os.chdir(root / "project")
            assert quiet(["check", "--no-doctest"]) == 0

        figures["import (in-process)"] = best(args.repeat, do_import)
        figures["init --from hugo (in-process)"] = best(args.repeat, do_init)
        figures["check --no-doctest (in-process)"] = best(args.repeat, do_check)
        entries = len(list((root / "project" / "entries").glob("*.md")))
        os.chdir(root / "project")
        with contextlib.redirect_stdout(io.StringIO()) as out:
            main(["check", "--no-doctest", "--format", "json"])
        problems = out.getvalue().count('"code"')
        os.chdir(tmp)
        print(
            f"entries written: {entries}; check --no-doctest problems in the new project: {problems}"
        )
        print(
            f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
        )
        print(f"{'':34s} {'wall':>8s} {'CPU':>8s}")
        for name, (wall, cpu) in figures.items():
            print(f"{name:34s} {wall:7.2f}s {cpu:7.2f}s")
        print("targets: import < 2 s, check --no-doctest < 1 s")
        os.chdir(Path(__file__).parent)


if __name__ == "__main__":
    main_benchmark()
