"""Presentation: message catalogs and formatting, charts, the council report."""
