"""Thin adapters from a forge's API responses to govsite's data (statements, comments), nothing more.

Everything here is pure: it takes response bodies (parsed JSON) and returns data; the workflows do
the HTTP requests. So an adapter is tested against bodies shaped exactly like the forge documents.
"""
