"""Agora: a lightweight internal community platform."""
