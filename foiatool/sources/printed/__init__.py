"""Printed email: PDFs (text layer or OCR) and the printed-header layouts that say where each message starts."""
