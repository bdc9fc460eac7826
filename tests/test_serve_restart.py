"""A new ``mkdocs serve --dirty`` process starts from the build the last one kept in the cache
folder (glossary_gen/engines/mkdocs/restart.py): it rebuilds only what changed since, and its
site is byte for byte what a fresh full build writes. Edits, renames, deletions, a changed
setting and a package upgrade are seen; a tampered record is never trusted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from test_partial_build import (  # the sites and helpers of the in-process rebuild tests
    ALL_PAGES,
    CONFIG,
    _normalized,
    edit,
    edit_config,
    full_build,
    new_site,  # noqa: F401 - the fixture the site fixture builds on
)

import glossary_gen
from glossary_gen.engines.mkdocs import records
from glossary_gen.engines.mkdocs.records import session
from glossary_gen.engines.mkdocs.restart import wait_saved

CACHED = CONFIG.replace("cache_dir: ''", "cache_dir: ../cache")


@pytest.fixture
def site(
    new_site: Path,  # noqa: F811 - the imported fixture
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Path:
    """The site after a first server's first build, with a cache folder outside the site."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # a private key for the MAC
    (new_site / "mkdocs.yml").write_text(CACHED, encoding="utf-8")
    assert new_server(new_site) == ALL_PAGES
    return new_site


@pytest.fixture(autouse=True)
def _isolated_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "_SESSIONS", records.OrderedDict())


SERVERS = [0]


def new_server(site: Path) -> set[str]:
    """The first build of a new ``mkdocs serve --dirty`` process: nothing in memory, a new
    temporary site folder. Returns the pages it rebuilt; checks the folder against a full
    build."""
    records._SESSIONS.clear()
    SERVERS[0] += 1
    out = site / f"served{SERVERS[0]}"
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(out))
    build(config, dirty=True)
    wait_saved()  # the record is written a moment after the build
    record = session(str(site / "mkdocs.yml"), str(out)).record
    assert record is not None
    full = full_build(site)
    mine = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    theirs = {p.relative_to(full) for p in full.rglob("*") if p.is_file()}
    assert mine == theirs, (sorted(mine - theirs), sorted(theirs - mine))
    assert [str(p) for p in sorted(mine) if _normalized(out / p) != _normalized(full / p)] == []
    shutil.rmtree(out)
    return set(record.rebuilt)


def test_a_restart_rebuilds_nothing_and_writes_the_same_site(site: Path) -> None:
    assert new_server(site) == set()
    assert new_server(site) == set()


def test_an_edit_between_two_servers_rebuilds_the_pages_that_show_it(site: Path) -> None:
    edit(site, "beta", "Beta comes after", "Beta, edited while no server ran, follows")
    rebuilt = new_server(site)
    # Beta's page, Alpha's (its backlinks list shows Beta's summary) and Gamma's (its [[Beta]]
    # tooltip), the index (summaries) and the tag listing.
    assert {"glossary/beta.md", "glossary/alpha.md", "glossary/gamma.md"} <= rebuilt
    assert "glossary/delta.md" not in rebuilt and "about.md" not in rebuilt


def test_a_renamed_and_a_deleted_entry_are_seen(site: Path) -> None:
    entries = site / "entries"
    (entries / "delta.md").rename(entries / "delta-renamed.md")
    (entries / "epsilon.md").unlink()
    rebuilt = new_server(site)
    assert "glossary/delta-renamed.md" in rebuilt
    assert "glossary/alpha.md" not in rebuilt


def test_a_changed_setting_rebuilds_every_page(site: Path) -> None:
    edit_config(site, "autolink: first", "autolink: 'off'")
    assert new_server(site) == ALL_PAGES
    assert new_server(site) == set()


def test_a_package_upgrade_rebuilds_every_page(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glossary_gen, "__version__", glossary_gen.__version__ + ".post1")
    assert new_server(site) == ALL_PAGES


def test_a_tampered_record_or_page_is_ignored(site: Path) -> None:
    store = site.parent / "cache" / "serve"
    blobs = sorted(store.glob("*.bin"), key=lambda p: p.stat().st_size)
    assert len(blobs) > len(ALL_PAGES)  # the site's record and each page's HTML
    page = next(p for p in blobs if b"Delta stands alone" in p.read_bytes())
    page.write_bytes(page.read_bytes().replace(b"Delta stands alone", b"Delta <b>forged</b>!"))
    assert new_server(site) == {"glossary/delta.md"}
    record = blobs[-1]  # the biggest: the site's record
    data = bytearray(record.read_bytes())
    data[-10] ^= 1
    record.write_bytes(bytes(data))
    assert new_server(site) == ALL_PAGES


def test_without_a_dirty_build_nothing_is_restored(site: Path) -> None:
    records._SESSIONS.clear()
    out = site / "plain"
    build(load_config(str(site / "mkdocs.yml"), site_dir=str(out)))
    record = session(str(site / "mkdocs.yml"), str(out)).record
    assert record is not None and set(record.rebuilt) == ALL_PAGES


def test_the_configuration_stamp_is_the_same_in_every_process(site: Path) -> None:
    """Sets (MkDocs' ``static_templates``) iterate in another order in another process."""
    import subprocess
    import sys

    code = (
        "from mkdocs.config import load_config\n"
        "from glossary_gen.engines.mkdocs.restart import config_stamp\n"
        "c = load_config('mkdocs.yml')\n"
        "c.plugins.on_config(c)\n"
        "print(config_stamp(c))\n"
    )
    stamps = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=site,
            env={**os.environ, "PYTHONHASHSEED": seed, "NO_MKDOCS_2_WARNING": "1"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(stamps) == 1 and "404.html" in stamps.pop()
