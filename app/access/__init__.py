"""The content policy: who may list, read, write and moderate each kind of content.

One module per kind of content, each built from the same two parts: the viewer's spaces
(``spaces``) and what counts as shown (``posts``: not deleted, not hidden, published). Lists use
the SQL filters (keyset pagination stays with the caller), single objects the checks. Nothing
here imports the web layer, and no other module writes a visibility rule of its own
(tests/test_content_policy.py scans the code for one).

The package imports nothing on purpose: a domain imports only the modules for its own kinds,
so the domain layers stay acyclic (pyproject.toml, [tool.importlinter]).
"""
