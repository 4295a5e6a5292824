"""The core: what every domain and both front doors (pages and API) share. Settings, the
database and a request's transaction, errors, languages and dates, sign-in and tokens, cursors,
read-only rows, domain events, and the rules for raw input (forms, ids, text). It imports no
domain and nothing above one (import-linter contract `core` in pyproject.toml)."""
