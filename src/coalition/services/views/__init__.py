"""The read side: one function per screen or report, each one read transaction through the unit of work.

A view checks the viewer's permission once, before it reads, reads through the narrow read ports
(``views.ports``) that answer a screen in a few set-based queries, and returns frozen view models that
the API serialises, the command line prints and the pages render. Views change nothing and record no
audit event; they apply the same masking rules as the writes (``services.confidentiality``).
"""
