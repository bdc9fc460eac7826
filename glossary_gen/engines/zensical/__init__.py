"""The Zensical adapter, a file writer: the glossary as ordinary files, for Zensical and other
Python-Markdown engines.

Zensical, the successor of Material for MkDocs, reads ``mkdocs.yml`` and renders Markdown with
Python-Markdown, but runs no MkDocs plugin: it drops ``glossary`` from ``plugins:`` without a word.
So the pages the plugin makes in memory are written as files here, from the same assembly
(:func:`glossary_gen.site.pages.assemble`):

* :func:`~.pages.write_pages` (``glossary-gen pages --out DIR``): check the glossary (doctests and plots
  included; errors stop it with the CLI's located messages), then write into ``DIR`` the term
  pages, the A-Z index, the tag pages, the alias redirects, ``glossary.json``, ``feed.xml``,
  ``llms.txt`` and the assets. Each page is a Markdown file whose body is the page's finished
  HTML: rendered here with the site's Markdown extensions, sanitized exactly as in the plugin,
  the trusted fragments spliced in; the front matter holds the title, description and tags, and
  ``glossary_head`` the page's ``<head>`` data (JSON-LD, the code island). Only changed files are
  rewritten, files of an earlier run that are gone are removed.
* :func:`~.workspace.prepare` (``glossary-gen zensical``): the workspace Zensical builds from, all generated
  and git-ignored: ``build/zensical/docs/`` (a copy of ``docs/`` plus the glossary's files),
  ``build/zensical/overrides/main.html`` (puts ``glossary_head`` and the feed link into
  ``<head>``) and ``zensical.yml`` next to ``mkdocs.yml``, which inherits it (``INHERIT``) and adds
  the docs folder, the overrides, the assets and this package's Markdown extension for the
  ``[[wiki links]]`` of the hand-written pages. ``glossary-gen zensical build|serve``
  (:mod:`.commands`) then runs Zensical on it (``scripts/build-zensical``).

Links: Zensical resolves every relative link of a page from its source file, raw HTML included,
so the generated HTML links pages by source path (``beta.md``) and Zensical maps them to URLs and
checks them (``Site.links = "source"``); data the page's scripts read (the Pyodide folder) stays a
URL relative to the page.

Zensical caches each rendered page keyed by its own source and the configuration. A generated
page holds all of its content, so it is never stale; the docs pages' wiki-link tooltips come
from the entries, so the extension's options carry ``version``, a hash of every term's names and
summary: a change there changes the configuration, and Zensical renders the pages again.

The modules: :mod:`.project` (mkdocs.yml and the docs pages, read once), :mod:`.pages` (the
page files), :mod:`.page_cache` (the pages kept between runs), :mod:`.sync` (the output folder,
only what changed written), :mod:`.workspace` (Zensical's docs folder, theme override and
configuration), :mod:`.commands` (``glossary-gen pages``, ``glossary-gen zensical``).
"""
