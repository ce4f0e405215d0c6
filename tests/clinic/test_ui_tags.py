"""The design system's template helpers: icons drawn inline from the icon package, and the
client header's flag counts."""

from types import SimpleNamespace

from django.template import Context, Template

from clinic.templatetags.kc_ui import flag_counts


def test_icon_is_inline_svg_hidden_from_screen_readers_unless_labelled():
    template = Template('{% load kc_ui %}{% icon "printer" %}|{% icon "check-badge" "Signed" %}')
    html = template.render(Context())
    plain, labelled = html.split("|")
    assert plain.startswith("<svg") and 'aria-hidden="true"' in plain and 'class="kc-icon"' in plain
    assert 'role="img"' in labelled and 'aria-label="Signed"' in labelled
    assert 'aria-hidden="true"' not in labelled
    assert "http" not in plain.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere


def test_flag_counts_by_level():
    flags = [SimpleNamespace(severity=s) for s in ("red", "amber", "amber", "info")]
    assert flag_counts(flags) == {"red": 1, "amber": 2}
    assert flag_counts(None) == {"red": 0, "amber": 0}
