"""Marks a release or an agency leaves on a message: redaction codes, release stamps and Bates/Doc numbers, organisations."""
