"""Integration tests use the real-device fixtures of tests/conftest.py."""
