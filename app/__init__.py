"""Điểm Cầu: the software of a telehealth consultation station."""

__version__ = "0.1.0"
APP_NAME = "diemcau"
