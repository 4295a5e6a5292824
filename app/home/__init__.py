"""The home page: the top floor, where every domain's part of the start page comes together.

It sits above all domains (pyproject.toml, import-linter "domains" contract), so no domain needs
to import another to assemble it.
"""
