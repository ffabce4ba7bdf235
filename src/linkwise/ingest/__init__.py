"""Ingestion: read sources declared by manifests, map and normalise rows, store them with
provenance, and quarantine what cannot be stored."""
