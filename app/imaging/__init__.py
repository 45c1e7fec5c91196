"""DICOM import, series model, windowing, de-identification."""
