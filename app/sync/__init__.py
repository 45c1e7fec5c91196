"""FHIR mapping, outbox, sync engine, uploads; and measuring the link to the hub."""
