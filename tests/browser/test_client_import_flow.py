"""An admin imports a client list from another system: the preview names every row's
problem, the admin fixes nothing and imports the valid rows, and the clients are there."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_accessibility import _violations, axe_source  # noqa: F401 (fixture)

CSV = (
    "\ufeffFirst Name;Last Name;Date of Birth;Gender;Email;Mobile;Notes\n"
    "Zephyrine;Importova;14/03/1980;Female;zeph@example.com;0400 111 222;Prefers mornings\n"
    "Quillon;Importova;1975-11-02;M;;;\n"
    "Xanthe;Importova;31/02/1985;F;;;\n"  # no such date
    ";Importova;01/01/1970;;;;\n"  # no first name
    "Zephyrine;IMPORTOVA;14/03/1980;F;;;\n"  # the same client twice in the file
).encode()


def test_an_admin_imports_the_valid_rows_of_a_list_with_errors(page, login, axe_source):  # noqa: F811
    page.set_viewport_size({"width": 1024, "height": 900})
    login("admin")
    page.goto("/clients/")
    page.click("#client-import")
    page.set_input_files(
        "#id_file", files=[{"name": "old-system.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    page.select_option("#id_primary_therapist", label="Sam Okafor")
    page.click("button:has-text('Preview')")
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("2 ready to import")
    expect(summary).to_contain_text("1 already held")
    expect(summary).to_contain_text("2 refused")
    expect(page.locator("#import-rows")).to_contain_text("First name is missing")
    expect(page.locator("#import-rows")).to_contain_text("is not a date this import reads")
    expect(page.locator("body")).to_contain_text("Free-text notes from another system are not imported")
    assert _violations(page, axe_source) == []
    page.click("#import-confirm")
    expect(page.locator("#import-result")).to_contain_text("Imported 2 clients")
    assert _violations(page, axe_source) == []
    page.goto("/clients/?q=importova")
    expect(page.locator("main")).to_contain_text("Importova, Zephyrine")
    expect(page.locator("main")).to_contain_text("Importova, Quillon")
