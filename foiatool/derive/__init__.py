"""Corpus-wide facts derived from the stored messages: threads, duplicates, people and their aliases."""
