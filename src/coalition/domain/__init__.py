"""The pure domain: entities, value objects and rules, with no framework and no storage.

Reference data (ISO 3166 country names from pycountry, ISO 4217 minor units from Babel)
is the only thing imported from outside the standard library; see docs/adr/0003.
"""
