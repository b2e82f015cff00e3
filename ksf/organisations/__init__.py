"""Organisations: health regions, counties, municipalities, clusters, regional bodies, partners."""
