"""Use cases the UI calls; each is a plain method a test can call without Qt."""
