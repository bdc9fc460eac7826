"""``glossary-gen import --from hugo DIR``: a Hugo glossary section -> glossary_gen entries.

The modules follow the data path: :mod:`.source` finds and reads the section's files,
:mod:`.front_matter` maps their YAML/TOML keys, :mod:`.sections` fits the body to the site's
sections, :mod:`.shortcodes` and :mod:`.links` rewrite shortcodes and links (with :mod:`.page`
knowing each page's addresses), and :mod:`.convert` turns the whole section into entries, all or
nothing, and reports.

What is mapped (Hugo keys are case-insensitive, as in Hugo; ``[params]`` keys count too):

* ``title``, ``draft``, ``tags``, ``type: glossary``, ``layout`` -> the same keys;
  ``categories`` -> ``tags``; ``synonyms``/``abbreviation``/``acronym`` -> ``aliases``;
  ``aliases`` -> ``aliases`` when they are names, and ``redirect_from`` when they are Hugo URL
  aliases (``/old/path/``: the old addresses, kept so that redirects can be made); so is the
  page's own old address when the new one differs (a nested section, ``url``, ``slug``);
  ``slug`` -> the file name; ``lastmod``/``date``/``publishDate`` -> ``updated: YYYY-MM-DD``;
  ``related``/``related_terms``/``see_also`` -> ``related``; ``references`` -> ``sources``;
  ``description``/``summary`` -> the Summary section when the body has none.
* Related terms given as titles, aliases, slugs or paths (``glossary/neural-network``,
  ``/glossary/neural-network/``, ``../neural-network.md``, ``{{< ref "neural-network" >}}``) are
  written as the target's title; so is a "Related terms"/"See also" section or a last
  ``Related terms: ...`` line of the body, which is removed from the body (glossary_gen generates it).
* Links in the body (Markdown links, ``<a href>``, ``ref``/``relref`` shortcodes) to imported
  pages become ``[[Title|text]]`` wiki links. Links to the rest of the Hugo site (``/guides/...``,
  ``{{< relref "/tools/x.md" >}}``) and images become plain text, or absolute links to the old
  site with ``--base-url``; each is reported at its line. Hugo resolves a path the way Hugo does:
  a ``ref`` from the page's folder, then from the content root; a link from the page's URL.
* Other shortcodes are reported and left out (never published raw); the text between a paired
  shortcode's tags stays; ``highlight`` becomes a code fence; ``<!--more-->`` is dropped.
* Body headings are matched to the site's sections (mkdocs.yml ``sections``; ``Definition`` ->
  Summary, ``Details`` -> In-depth explanation, ...); without headings the first paragraph is the
  Summary and the rest the main section. A required section that cannot be found is written as
  an empty placeholder, which ``glossary-gen check`` then points at; a missing optional one is left
  out. ``init --from hugo`` instead fits the sections to the source (:func:`.sections.fit_model`).

Reporting and writing (the decision the issue asks for):

* Everything that could not be mapped is reported as a :class:`Diagnostic` located in the *source*
  file, in the same formats as ``check``. Warnings (a dropped key, an unresolvable related term or
  link, a shortcode, a placeholder section) do not stop the import.
* Errors (unreadable or unparsable front matter, two pages with one slug or title, a name or a file
  that already exists in the entries folder) stop it: **nothing is written** (all-or-nothing), so a
  failed import never leaves half a glossary behind. Fix the cause (or import into an empty folder)
  and run it again.
* Front matter is untrusted input: YAML goes through the loader's safe front-matter parser (the
  same limits as ``check``: size, depth, no anchors, no duplicate keys), files are size-capped.
* Files are read by the loader's rules (:mod:`.source`): only regular files inside the source
  folder; a link out of it (a file or a folder), a FIFO, a device or ``/dev/stdin`` is an error
  located at the file, never opened or read, so nothing is written.
* The source folder is only read. Existing entries are never overwritten. Each file is written to a
  temporary name and then hard-linked into place, which fails instead of replacing a file that
  appeared meanwhile; on any failure the files created so far are removed again.
"""
