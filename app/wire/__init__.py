"""The wire format shared by the station's sync engine and the hub (DESIGN.md: one module, no drift).

Plain dicts in, plain dicts out: no HTTP, no database, no validation library, so both sides can
import it cheaply.
"""
