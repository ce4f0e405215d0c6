"""Program writes, through their services, bump the client's record version."""

from __future__ import annotations

from clinic.record_version import record_version
from programs import services


def _bumps(client, write):
    before = record_version(client.pk)
    result = write()
    assert record_version(client.pk) > before
    return result


def test_program_writes_bump_the_version(client_record, treating, library):
    draft = _bumps(client_record, lambda: services.program_draft(client=client_record, by=treating))
    _bumps(
        client_record,
        lambda: services.program_item_add(
            draft=draft, exercise=library["Plantar-fascia stretch"], by=treating
        ),
    )
    _bumps(client_record, lambda: services.program_issue(version=draft, by=treating))


def test_health_screen_and_care_team_changes_bump_the_version(client_record, treating, colleague, desk):
    from clinic import services as clinic_services
    from clinic.screening import QUESTIONS

    _bumps(
        client_record,
        lambda: clinic_services.health_screen_record(
            client=client_record,
            by=treating,
            answers={q.code: (False, "") for q in QUESTIONS},
            consent_given=True,
        ),
    )
    _bumps(
        client_record,
        lambda: clinic_services.consent_withdraw(client=client_record, by=treating, reason="Moving away"),
    )
    client = client_record.__class__.objects.get(pk=client_record.pk)
    _bumps(
        client_record,
        lambda: clinic_services.client_update(
            client=client,
            by=desk,
            data={"occupation": "Nurse"},
            version=client.version,
            care_team=[treating, colleague],
        ),
    )
