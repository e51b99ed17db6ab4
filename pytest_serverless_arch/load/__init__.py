"""Loaders: one module per format, each turning parsed files into ``LoadedUnit`` records."""
