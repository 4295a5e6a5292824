"""The web layer's shared parts: templates and render(), cached fragments, the ASGI
middleware and icons. Pages live in each domain's routes.py."""
