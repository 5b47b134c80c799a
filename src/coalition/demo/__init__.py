"""The demo world: the IT Coalition and the Drone Coalition from public facts, built through the services.

A layer of its own above the services: it uses them and the domain like any other caller, so the demo
is audited like real work, and no use case depends on it (an import-linter contract keeps it so).
``world.build_demo_world`` builds everything, idempotently; ``users`` adds one user per role for the pages.
"""
