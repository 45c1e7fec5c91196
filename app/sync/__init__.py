"""FHIR mapping, outbox, sync engine, uploads."""
