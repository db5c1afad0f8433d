"""Dossier: a static site generator for curated, checkable topic dossiers."""

__version__ = "0.1.0"
