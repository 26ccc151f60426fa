"""Importers: national formats (SSD, Annex A, SSDA903) and staff lists into the input format."""
