"""Inference helpers: image grids (and sampling, truncation, style mixing as they are added)."""
