"""Wikitext as MediaWiki reads it: scan (find templates without parsing), tree (parse),
refs (lift <ref>s), render (reader text of a value or a snippet) with the template registry
(templates, convert, date_templates) and text cleanup (inline). No I/O."""
