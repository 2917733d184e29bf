"""One message: the mail-parser adapter, addresses, dates, bodies and quoted history; marks/ for what a release stamps on it."""
