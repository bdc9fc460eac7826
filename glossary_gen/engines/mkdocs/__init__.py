"""The MkDocs adapter: the ``glossary`` plugin (:mod:`.plugin`, its events) with the work it hands
to collaborators (:mod:`.handover`, :mod:`.page_content`), and the incremental ``mkdocs serve``
(:mod:`.partial_build`, :mod:`.records`, :mod:`.search_and_tags`, :mod:`.build_log`,
:mod:`.serve_process`, :mod:`.watch`)."""
