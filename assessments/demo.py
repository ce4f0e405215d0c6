"""Demo data for the assessments app, called by seed_demo."""


def seed(*, clients, therapists) -> None:
    """Idempotent: must do nothing for a client that already has this app's demo data."""
