"""Incremental builds as ``mkdocs serve --dirty`` makes them: after each edit, a build into the
same folder rebuilds only the pages the edit changes, and the folder then holds exactly what a
fresh full ``mkdocs build`` writes (byte for byte, sitemap dates aside)."""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer
from watchdog.observers.api import BaseObserver

from glossary_gen.engines.mkdocs.records import session
from glossary_gen.engines.mkdocs.watch import watch_entries

CONFIG = """site_name: Partial Builds
site_url: https://glossary.example.org/
theme:
  name: material
  font: false
  features: [content.tooltips]
markdown_extensions:
  - attr_list
  - toc:
      permalink: true
  - pymdownx.highlight
  - pymdownx.superfences
plugins:
  - search
  - tags
  - glossary:
      autolink: first
      doctest: false
      cache_dir: ''
      last_updated: false
nav:
  - Home: index.md
  - Glossary: glossary/index.md
  - Tags: tags.md
  - about.md
"""

ENTRIES = {
    "alpha": """---
title: Alpha
aliases: [First Letter]
related: [Beta]
tags: [letters]
---
### Summary

Alpha is the first letter.

### ELI5

It comes first.

### In-depth explanation

Alpha precedes $x^2$ in every list.
""",
    "beta": """---
title: Beta
tags: [letters, greek]
---
### Summary

Beta comes after [[Alpha]].

### ELI5

Second.

### In-depth explanation

Nothing more.
""",
    "gamma": """---
title: Gamma
related: [Alpha]
tags: [greek]
---
### Summary

Gamma is third.

### ELI5

Third, after [[Beta]].

### In-depth explanation

Nothing more.
""",
    "delta": """---
title: Delta
tags: [other]
---
### Summary

Delta stands alone.

### ELI5

Alone.

### In-depth explanation

Nothing here links anywhere.
""",
    "epsilon": """---
title: Epsilon
---
### Summary

Epsilon is small.

### ELI5

Small.

### In-depth explanation

Also alone.
""",
}

DOCS = {
    "index.md": "# Home\n\nStart at [[Alpha]] or the [gamma page](glossary/gamma.md).\n",
    "about.md": "# About\n\nThis page links to no term.\n",
    "tags.md": "# Tags\n\n<!-- material/tags -->\n",
}


@pytest.fixture
def new_site(tmp_path: Path) -> Iterator[Path]:
    """A glossary site in a temporary folder (the working folder meanwhile), not built yet."""
    root = tmp_path / "site"
    (root / "entries").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    for slug, text in ENTRIES.items():
        (root / "entries" / f"{slug}.md").write_text(text, encoding="utf-8")
    for name, text in DOCS.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(root)  # entry paths in messages are shown from the working folder, as the CLI does
    try:
        yield root
    finally:
        os.chdir(cwd)


@pytest.fixture
def site(new_site: Path) -> Path:
    """The site after a first ``mkdocs serve --dirty`` build (every page built)."""
    serve_build(new_site)
    return new_site


def served(site: Path) -> Path:
    return site / "served"


def serve_build(site: Path) -> set[str]:
    """One build as ``mkdocs serve --dirty`` makes it (a fresh config, the same folder);
    returns the pages it rebuilt."""
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(served(site)))
    build(config, dirty=True)
    record = session(str(site / "mkdocs.yml"), str(served(site))).record
    assert record is not None
    return set(record.rebuilt)


def full_build(site: Path) -> Path:
    out = site / "full"
    shutil.rmtree(out, ignore_errors=True)
    build(load_config(str(site / "mkdocs.yml"), site_dir=str(out)))
    return out


def _normalized(path: Path) -> bytes:
    """A file's bytes, with the documented volatile parts (the sitemap's dates) left out."""
    data = path.read_bytes()
    if path.name == "sitemap.xml.gz":
        data = gzip.decompress(data)
    if path.name.startswith("sitemap.xml"):
        data = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", data)
    return data


def assert_same_site(site: Path) -> None:
    """The served folder holds exactly the files of a fresh full build, byte for byte."""
    full = full_build(site)
    mine = {p.relative_to(served(site)) for p in served(site).rglob("*") if p.is_file()}
    theirs = {p.relative_to(full) for p in full.rglob("*") if p.is_file()}
    assert mine == theirs, (sorted(mine - theirs), sorted(theirs - mine))
    different = [
        str(p) for p in sorted(mine) if _normalized(served(site) / p) != _normalized(full / p)
    ]
    assert different == []


def edit(site: Path, slug: str, old: str, new: str) -> None:
    path = site / "entries" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_config(site: Path, old: str, new: str) -> None:
    path = site / "mkdocs.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rebuild_after_edit(site: Path, slug: str, old: str, new: str) -> set[str]:
    """Edit an entry, then the serve build that follows: the pages it rebuilt."""
    edit(site, slug, old, new)
    return serve_build(site)


def rebuild_after_writing(site: Path, path: str, text: str) -> set[str]:
    """Write a file of the site (``entries/zeta.md``, ``docs/about.md``), then the serve build
    that follows: the pages it rebuilt."""
    (site / path).write_text(text, encoding="utf-8")
    return serve_build(site)


def page(site: Path, url: str) -> str:
    return (served(site) / url / "index.html").read_text(encoding="utf-8")


def search_docs(site: Path) -> list[dict]:
    data = json.loads((served(site) / "search" / "search_index.json").read_text("utf-8"))
    return data["docs"]


ALL_PAGES = {
    "index.md",
    "about.md",
    "tags.md",
    "glossary/index.md",
    *(f"glossary/{slug}.md" for slug in ENTRIES),
}


def test_first_build_builds_everything_and_a_second_nothing(new_site: Path) -> None:
    assert serve_build(new_site) == ALL_PAGES
    assert serve_build(new_site) == set()
    assert_same_site(new_site)


def test_a_summary_edit_rebuilds_the_pages_that_show_it(site: Path) -> None:
    before = len(search_docs(site))
    rebuilt = rebuild_after_edit(
        site, "alpha", "Alpha is the first letter.", "Alpha opens the alphabet."
    )
    # its page; Beta lists it under "Referenced by" and shows it as a tooltip; Gamma under
    # "Related terms"; the A-Z index; the docs page that links it with [[Alpha]]
    assert rebuilt == {
        "glossary/alpha.md",
        "glossary/beta.md",
        "glossary/gamma.md",
        "glossary/index.md",
        "index.md",
    }
    assert "Alpha opens the alphabet." in page(site, "glossary/alpha")
    assert 'title="Alpha opens the alphabet."' in page(site, "glossary/beta")  # tooltip
    assert "Alpha opens the alphabet." in page(site, "glossary/gamma")  # related terms
    assert "Alpha opens the alphabet." in page(site, "glossary")  # the index
    assert 'title="Alpha opens the alphabet."' in page(site, "")  # docs page tooltip
    assert "Alpha is the first letter" not in page(site, "glossary/beta")
    # search finds the new summary and loses no page
    docs = search_docs(site)
    assert len(docs) == before
    assert any("Alpha opens the alphabet." in d["text"] for d in docs)
    assert not any("Alpha is the first letter" in d["text"] for d in docs)
    assert_same_site(site)


def test_an_edit_no_other_page_shows_rebuilds_one_page(site: Path) -> None:
    titles = {d["location"] for d in search_docs(site)}
    assert rebuild_after_edit(
        site, "alpha", "It comes first.", "It comes before all the others."
    ) == {"glossary/alpha.md"}
    docs = search_docs(site)
    assert {d["location"] for d in docs} == titles
    assert any("It comes before all the others." in d["text"] for d in docs)
    assert_same_site(site)


def test_a_title_edit_updates_links_tags_and_navigation_lists(site: Path) -> None:
    rebuilt = rebuild_after_edit(site, "delta", "title: Delta", "title: Delta Force")
    assert {"glossary/delta.md", "glossary/index.md", "tags.md"} <= rebuilt
    assert "glossary/alpha.md" not in rebuilt
    assert "Delta Force" in (served(site) / "tags" / "index.html").read_text("utf-8")
    assert_same_site(site)


def test_deleting_an_entry_reports_the_links_that_break(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (site / "entries" / "beta.md").unlink()
    with caplog.at_level(logging.DEBUG):
        rebuilt = serve_build(site)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(
        m.startswith("entries/alpha.md:4:") and "error[unknown-term]" in m and "'Beta'" in m
        for m in errors
    ), errors
    assert any(
        m.startswith("entries/gamma.md:") and "wiki link target 'Beta'" in m for m in errors
    ), errors
    assert not (served(site) / "glossary" / "beta").exists()
    # the pages that linked it or listed it
    assert {"glossary/alpha.md", "glossary/gamma.md", "glossary/index.md", "tags.md"} <= rebuilt
    assert "glossary/delta.md" not in rebuilt
    assert not any(d["location"].startswith("glossary/beta/") for d in search_docs(site))
    assert_same_site(site)


def test_an_alias_keeps_the_links_of_a_renamed_term_resolving(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = site / "entries" / "alpha.md"
    text = old.read_text(encoding="utf-8").replace(
        "title: Alpha\naliases: [First Letter]",
        "title: Alpha Prime\naliases: [Alpha, First Letter]",
    )
    old.unlink()
    (site / "entries" / "alpha-prime.md").write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        serve_build(site)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # [[Alpha]] still links (to the new page), and the old address redirects to it
    assert 'href="../alpha-prime/"' in page(site, "glossary/beta")
    assert 'href="alpha-prime/"' in page(site, "glossary")
    assert "Alpha Prime" in page(site, "glossary/alpha")  # the redirect page
    assert "url=../alpha-prime/" in page(site, "glossary/alpha")
    assert_same_site(site)


def test_adding_an_entry_resolves_the_links_waiting_for_it(new_site: Path) -> None:
    edit(new_site, "epsilon", "Also alone.", "Also alone, unlike [[Zeta]].")
    serve_build(new_site)
    rebuilt = rebuild_after_writing(
        new_site, "entries/zeta.md", ENTRIES["epsilon"].replace("Epsilon", "Zeta")
    )
    assert {"glossary/zeta.md", "glossary/epsilon.md", "glossary/index.md"} <= rebuilt
    assert "glossary/delta.md" not in rebuilt
    assert 'href="../zeta/"' in page(new_site, "glossary/epsilon")
    assert_same_site(new_site)


def test_a_docs_page_edit_updates_used_on(site: Path) -> None:
    rebuilt = rebuild_after_writing(site, "docs/about.md", "# About\n\nNow about [[Delta]].\n")
    assert rebuilt == {"about.md", "glossary/delta.md"}
    assert "About" in page(site, "glossary/delta")
    assert_same_site(site)


def test_a_changed_page_title_in_the_navigation_rebuilds_every_page(site: Path) -> None:
    assert rebuild_after_writing(site, "docs/about.md", "# About us\n\nNo term.\n") == ALL_PAGES
    assert "About us" in page(site, "glossary/delta")
    assert_same_site(site)


def test_a_deleted_output_file_is_written_again(site: Path) -> None:
    (served(site) / "glossary" / "delta" / "index.html").unlink()
    assert serve_build(site) == {"glossary/delta.md"}
    assert_same_site(site)


def test_an_unknown_plugin_makes_every_build_full(new_site: Path) -> None:
    edit_config(new_site, "  - tags\n", "  - tags\n  - meta\n")
    serve_build(new_site)
    assert (
        rebuild_after_edit(new_site, "alpha", "It comes first.", "It comes before all the others.")
        == ALL_PAGES
    )
    assert_same_site(new_site)


def test_a_markdown_extension_that_includes_files_makes_every_build_full(new_site: Path) -> None:
    edit_config(
        new_site, "  - pymdownx.superfences\n", "  - pymdownx.superfences\n  - pymdownx.snippets\n"
    )
    serve_build(new_site)
    assert (
        rebuild_after_edit(new_site, "alpha", "It comes first.", "It comes before all the others.")
        == ALL_PAGES
    )


def test_a_new_term_is_auto_linked_where_it_is_mentioned(new_site: Path) -> None:
    edit(new_site, "epsilon", "Also alone.", "Also alone, like the omega point.")
    serve_build(new_site)
    # (the file name is not in epsilon's text: only the auto-link candidate words are)
    rebuilt = rebuild_after_writing(
        new_site, "entries/omega-point.md", ENTRIES["delta"].replace("Delta", "Omega Point")
    )
    assert {"glossary/omega-point.md", "glossary/epsilon.md", "glossary/index.md"} <= rebuilt
    assert "glossary/gamma.md" not in rebuilt
    assert "glossary-autolink" in page(new_site, "glossary/epsilon")
    assert_same_site(new_site)


def test_a_full_build_into_the_folder_in_between_is_noticed(site: Path) -> None:
    # a non-dirty build cleans the folder first: every page is written again
    build(load_config(str(site / "mkdocs.yml"), site_dir=str(served(site))))
    assert rebuild_after_edit(site, "delta", "Alone.", "Quite alone.") == {"glossary/delta.md"}
    assert_same_site(site)


def test_builds_of_other_folders_do_not_share_records(site: Path) -> None:
    other = site / "elsewhere"
    build(load_config(str(site / "mkdocs.yml"), site_dir=str(other)), dirty=True)
    record = session(str(site / "mkdocs.yml"), str(other)).record
    assert record is not None and set(record.rebuilt) == ALL_PAGES


# --- noticing an edit ----------------------------------------------------------------------------


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[LiveReloadServer, Path, BaseObserver | None]]:
    """MkDocs' serve server watching an entries folder as the plugin has it watched: the server,
    the folder and the system-events observer (``None`` where there is none)."""
    folder = tmp_path / "entries"
    folder.mkdir()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    events = watch_entries(server, folder)
    try:
        yield server, folder, events
    finally:
        server.server_close()
        if events is not None and events.is_alive():
            events.stop()
            events.join()


def test_a_save_starts_one_rebuild_at_once(watched) -> None:
    from watchdog.events import FileModifiedEvent, FileOpenedEvent

    server, folder, events = watched
    assert str(folder) in server._watched_paths  # in MkDocs' "Watching paths" line too
    (watch,) = server.observer._handlers  # the polling fallback
    (polling,) = server.observer._handlers[watch]

    def rebuild_wanted(timeout: float) -> bool:
        with server._rebuild_cond:
            wanted = server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout)
            server._want_rebuild = False
        return wanted

    entry = folder / "alpha.md"
    entry.write_text("one", encoding="utf-8")
    if events is None:  # no system events here: polling reports the save
        polling.dispatch(FileModifiedEvent(str(entry)))
        assert rebuild_wanted(0)
        return
    assert rebuild_wanted(2.0)  # the system reported the save at once
    time.sleep(0.5)  # the save's other events (the file closed) come in meanwhile
    rebuild_wanted(0)
    # a build reading the entries is no change
    polling.dispatch(FileOpenedEvent(str(entry)))
    assert not rebuild_wanted(0.3)
    # polling sees the same save later: no second rebuild, and no more polling
    polling.dispatch(FileModifiedEvent(str(entry)))
    assert not rebuild_wanted(0.3)
    deadline = time.monotonic() + 5
    while server.observer._handlers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server.observer._handlers
    entry.write_text("two!", encoding="utf-8")
    assert rebuild_wanted(2.0)


def test_polling_goes_on_where_the_system_reports_nothing(watched) -> None:
    from watchdog.events import FileModifiedEvent

    server, folder, events = watched
    if events is not None:
        events.stop()  # as if the file system never reported anything
        events.join()
    (watch,) = server.observer._handlers
    (polling,) = server.observer._handlers[watch]
    entry = folder / "alpha.md"
    entry.write_text("one", encoding="utf-8")
    polling.dispatch(FileModifiedEvent(str(entry)))
    with server._rebuild_cond:
        assert server._want_rebuild
    time.sleep(0.3)
    assert server.observer._handlers  # still polling


def test_the_tags_export_is_written_again_only_when_the_listings_change(site: Path) -> None:
    export = served(site) / "tags.json"
    written = export.stat().st_mtime_ns
    rebuild_after_edit(site, "alpha", "is the first letter", "is the first Greek letter")
    assert export.stat().st_mtime_ns == written  # the same tags and titles: not written again
    assert_same_site(site)
    rebuild_after_edit(site, "delta", "title: Delta", "title: Delta Force")
    assert "Delta Force" in export.read_text("utf-8")
    assert_same_site(site)


def test_a_changed_tags_export_file_is_written_again(site: Path) -> None:
    export = served(site) / "tags.json"
    export.write_text("{}", encoding="utf-8")
    rebuild_after_edit(site, "alpha", "is the first letter", "is the first Greek letter")
    assert export.read_text("utf-8") != "{}"
    assert_same_site(site)
