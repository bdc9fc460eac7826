"""The pages of a site with translations, built by MkDocs (``mkdocs build --strict``, whose
audit gate checks every page): URLs, ``<html lang>``, hreflang both ways, the switcher, the
fallback links, JSON-LD and the exports."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from glossary_gen.site.audit import check_site

ROOT = Path(__file__).parent.parent

RELU_FR = """---
title: ReLU
aliases: [redresseur]
related: [Fonction sigmoïde, Tanh Function]
---
### Résumé

La ReLU <span onclick="alert(1)">laisse</span> passer les entrées positives & annule les autres.

### En bref

Comme un robinet.

### Explication détaillée

Voir [[Fonction sigmoïde]], [[Sigmoid Function|la même]] et [[Tanh Function]].

```python
>>> max(0, -3)
0
```
"""

SIGMOID_FR = """---
title: Fonction sigmoïde
---
### Résumé

La sigmoïde écrase tout réel entre 0 et 1.

### En bref

Un variateur.

### Explication détaillée

Voir [[redresseur]].
"""


def translated_site(folder: Path) -> Path:
    """site_basic with three entries of this repository and two French translations."""
    for name in ("relu", "sigmoid-function", "tanh-function"):
        shutil.copy(ROOT / "entries" / f"{name}.md", folder / "entries" / f"{name}.md")
    # The copied entries link to terms this small site lacks: keep only their summaries' pages
    # valid by dropping the links (the page checks below do not need them).
    for path in (folder / "entries").glob("*.md"):
        text = path.read_text("utf-8")
        text = re.sub(r"\[\[([^\]|]+)\|([^\]]+)\]\]", r"\2", text)
        text = re.sub(r"\[\[([^\]]+)\]\]", r"\1", text)
        text = re.sub(r"(?m)^related: .*\n", "", text)
        path.write_text(text, "utf-8")
    (folder / "entries/fr").mkdir()
    (folder / "entries/fr/relu.md").write_text(RELU_FR, "utf-8")
    (folder / "entries/fr/sigmoid-function.md").write_text(SIGMOID_FR, "utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace(
            "      autolink: first\n", "      autolink: first\n      languages: [en, fr]\n"
        ),
        "utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory, copy_site_basic, mkdocs_build) -> Path:
    return mkdocs_build(translated_site(copy_site_basic(tmp_path_factory.mktemp("i18n"))))


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory, copy_site_basic) -> Path:
    pytest.importorskip("zensical", reason="the 'engines' extra is installed by scripts/setup")
    folder = translated_site(copy_site_basic(tmp_path_factory.mktemp("i18n-zensical")))
    result = subprocess.run(
        [sys.executable, "-m", "glossary_gen.cli", "zensical", "build"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "site"


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text("utf-8")


def test_each_translation_has_its_page_and_the_default_keeps_its_urls(site):
    assert (site / "fr/glossary/relu/index.html").is_file()
    assert (site / "fr/glossary/sigmoid-function/index.html").is_file()
    assert not (site / "fr/glossary/tanh-function").exists()  # not translated: no page
    assert (site / "glossary/relu/index.html").is_file()
    assert (site / "fr/glossary/index.html").is_file()  # the French A-Z


def test_html_lang_is_the_page_language(site):
    assert '<html lang="fr"' in page(site, "fr/glossary/relu")
    assert '<html lang="en"' in page(site, "glossary/relu")
    assert '<html lang="fr"' in page(site, "fr/glossary")


def sitemap_alternates(site: Path) -> dict[str, dict[str, str]]:
    """sitemap.xml's ``<loc>`` -> its ``<xhtml:link rel="alternate">`` (hreflang -> href)."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring((site / "sitemap.xml").read_bytes())
    found = {}
    for url in root.findall("s:url", ns):
        links = url.findall("x:link", ns)
        assert all(link.get("rel") == "alternate" for link in links)
        found[url.findtext("s:loc", namespaces=ns).strip()] = {
            link.get("hreflang"): link.get("href") for link in links
        }
    return found


def test_hreflang_alternates_go_both_ways_with_x_default_in_the_sitemap(site):
    base = "https://glossary.example.org/"
    alternates = sitemap_alternates(site)
    both = {
        "en": f"{base}glossary/relu/",
        "fr": f"{base}fr/glossary/relu/",
        "x-default": f"{base}glossary/relu/",
    }
    assert alternates[f"{base}glossary/relu/"] == both
    assert alternates[f"{base}fr/glossary/relu/"] == both
    assert alternates[f"{base}glossary/tanh-function/"] == {}  # no translation


def test_no_page_links_an_alternate_that_the_theme_would_take_for_a_site(site):
    """Material fetches ``sitemap.xml`` next to every ``<link rel="alternate">`` of a page (it
    takes them for language sites): a term's other version there made a 404 per page view."""
    for path in ("glossary/relu", "fr/glossary/relu", "glossary", "fr/glossary"):
        heads = page(site, path).split("</head>", 1)[0]
        links = re.findall(r"<link [^>]*rel=\"?alternate[^>]*>", heads)
        assert links, path  # the feed's
        assert all("hreflang" not in link and "feed.xml" in link for link in links), links


def test_the_switcher_stays_on_the_term(site):
    fr = page(site, "fr/glossary/relu")
    switcher = re.search(r'<nav class="glossary-languages".*?</nav>', fr).group(0)
    assert 'href="../../../glossary/relu/" hreflang="en" lang="en"' in switcher
    assert '<span aria-current="true" lang="fr">Français</span>' in switcher
    en = page(site, "glossary/relu")
    assert 'href="../../fr/glossary/relu/" hreflang="fr" lang="fr"' in en


def test_links_resolve_in_the_language_and_fall_back_marked(site):
    fr = page(site, "fr/glossary/relu")
    body = fr.split('<div class="glossary-summary">', 1)[1]
    # A French title and an English title of a translated term: the French page.
    assert body.count('href="../sigmoid-function/"') >= 2
    # An untranslated term: the English page, marked for machines and readers.
    fallback = re.search(r'<a [^>]*href="../../../glossary/tanh-function/"[^>]*>', body).group(0)
    assert 'hreflang="en"' in fallback and 'lang="en"' in fallback
    assert "glossary-link--fallback" in fallback
    # The entry's markup is still sanitized on a translation's page.
    assert "<span>laisse</span>" in body
    assert "onclick" not in fr


def test_tooltips_are_in_the_page_language_with_the_original_title(site):
    fr = page(site, "fr/glossary/relu")
    link = re.search(r'<a [^>]*href="../sigmoid-function/"[^>]*>', fr).group(0)
    assert 'title="La sigmoïde écrase tout réel entre 0 et 1. (Sigmoid Function)"' in link
    en = page(site, "glossary/relu")
    assert "La sigmoïde" not in en


def test_json_ld_names_the_language_and_the_versions(site):
    def ld(html: str) -> dict:
        found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        return json.loads(found.group(1))

    fr = ld(page(site, "fr/glossary/relu"))
    assert fr["inLanguage"] == "fr"
    assert fr["translationOfWork"]["@id"] == "https://glossary.example.org/glossary/relu/"
    en = ld(page(site, "glossary/relu"))
    assert en["inLanguage"] == "en"
    assert [w["inLanguage"] for w in en["workTranslation"]] == ["fr"]


def test_exports_carry_the_translations(site):
    data = json.loads((site / "glossary.json").read_text("utf-8"))
    relu = next(t for t in data["terms"] if t["slug"] == "relu")
    assert relu["translations"]["fr"]["title"] == "ReLU"
    assert relu["translations"]["fr"]["url"].endswith("/fr/glossary/relu/")
    fr = json.loads((site / "fr/glossary.json").read_text("utf-8"))
    assert sorted(t["slug"] for t in fr["terms"]) == ["relu", "sigmoid-function"]
    assert {t["lang"] for t in fr["terms"]} == {"fr"}


def test_the_french_index_lists_untranslated_terms_marked(site):
    index = page(site, "fr/glossary")
    assert "Fonction sigmoïde" in index
    tanh = re.search(r'<a [^>]*href="../../glossary/tanh-function/"[^>]*>', index).group(0)
    assert 'hreflang="en"' in tanh


def test_the_built_site_passes_the_audit(site):
    assert check_site(site, site_url="https://glossary.example.org/") == []


def test_zensical_publishes_the_same_language_pages(zensical_site):
    fr = page(zensical_site, "fr/glossary/relu")
    assert '<div class="glossary-page" lang="fr"' in fr  # Zensical's theme writes <html lang>
    base = "https://glossary.example.org/"
    assert "hreflang" not in fr.split("</head>", 1)[0]
    alternates = sitemap_alternates(zensical_site)
    assert (
        alternates[f"{base}fr/glossary/relu/"]
        == alternates[f"{base}glossary/relu/"]
        == {
            "en": f"{base}glossary/relu/",
            "fr": f"{base}fr/glossary/relu/",
            "x-default": f"{base}glossary/relu/",
        }
    )
    assert alternates[f"{base}fr/glossary/"]["en"] == f"{base}glossary/"
    switcher = re.search(r'<nav class="glossary-languages".*?</nav>', fr).group(0)
    assert 'href="../../../glossary/relu/" hreflang="en"' in switcher
    fallback = re.search(r'<a [^>]*href="../../../glossary/tanh-function/"[^>]*>', fr).group(0)
    assert 'hreflang="en"' in fallback
    assert re.search(r'<a [^>]*href="../sigmoid-function/"[^>]*>', fr)
    en = page(zensical_site, "glossary/relu")
    assert 'href="../../fr/glossary/relu/" hreflang="fr"' in en
    assert check_site(zensical_site, site_url=base) == []


def test_pages_writes_tag_pages_per_language(tmp_path, copy_site_basic):
    folder = translated_site(copy_site_basic(tmp_path))
    (folder / "entries/fr/relu.md").write_text(
        RELU_FR.replace("aliases: [redresseur]\n", "aliases: [redresseur]\ntags: [activation]\n"),
        "utf-8",
    )
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "glossary_gen.cli", "pages", "--out", str(out), "--no-doctest"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    from test_zensical import written_page

    tag = written_page(out, "fr/glossary/tags/activation.md")
    assert 'lang="fr"' in tag and 'href="../relu.md"' in tag, tag[-400:]  # the French page
    assert "La ReLU" in tag  # its French summary
    assert not (out / "glossary/tags/activation.md").exists()  # no English term has the tag
    assert (out / "fr/glossary/index.md").is_file()
    assert (out / "fr/glossary/tags/index.md").is_file()


def test_the_a_z_pages_of_the_languages_link_each_other(site):
    base = "https://glossary.example.org/"
    alternates = sitemap_alternates(site)
    both = {"en": f"{base}glossary/", "fr": f"{base}fr/glossary/", "x-default": f"{base}glossary/"}
    assert alternates[f"{base}glossary/"] == alternates[f"{base}fr/glossary/"] == both


def test_a_translated_page_says_its_own_words_in_its_language(site):
    fr = page(site, "fr/glossary/relu")
    assert "Aussi appelé <em>redresseur</em>" in fr
    assert ">Termes liés<" in fr and ">Tous les termes</a>" in fr
    assert "Related terms" not in fr
    en = page(site, "glossary/relu")
    assert ">All terms</a>" in en and "Tous les termes" not in en


HOSTILE_ALTERNATES = (
    ('fr"><script>alert(1)</script>', "https://e.org/a/?x=1&y=<b>\"'</b>"),
    ("x-default", "https://e.org/a/]]><!--"),
)


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_the_sitemap_templates_escape_what_they_write(engine):
    """The addresses come from slugs and language codes the check validates; the templates
    escape them anyway (Zensical does not escape XML templates by itself)."""
    from types import SimpleNamespace

    import jinja2

    from glossary_gen.engines.mkdocs.plugin import THEME_DIR
    from glossary_gen.engines.zensical.workspace import SITEMAP_XML

    url = "https://e.org/a/"
    if engine == "mkdocs":
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME_DIR)))
        page_ = SimpleNamespace(
            is_link=False, abs_url="/a/", canonical_url=url, update_date=None, url="a/"
        )
        text = env.get_template("sitemap.xml").render(
            pages=[SimpleNamespace(page=page_)], glossary_alternates={"a/": HOSTILE_ALTERNATES}
        )
    else:
        page_ = SimpleNamespace(
            canonical_url=url, meta={"glossary_alternates": [list(p) for p in HOSTILE_ALTERNATES]}
        )
        text = jinja2.Environment().from_string(SITEMAP_XML).render(pages=[page_])
    assert text.startswith("<?xml ")
    root = ElementTree.fromstring(text.encode("utf-8"))
    links = root.findall("{*}url/{http://www.w3.org/1999/xhtml}link")
    assert [(a.get("hreflang"), a.get("href")) for a in links] == list(HOSTILE_ALTERNATES)
    assert "<script>" not in text
