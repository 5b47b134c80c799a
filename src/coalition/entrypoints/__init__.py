"""Entrypoints: they parse input, call one service, and render; no rules live here."""
