"""Clone detection: exact, renamed, near-miss and fragment clones as clone classes.

`streams` and `normalize` are the fingerprint stage the indexer runs per file; `detect`
reads the index and builds classes. Import `ctxlens.clones.detect` for `find_clones`.
"""
