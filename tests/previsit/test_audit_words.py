"""What the client and the staff did before a visit reads as sentences on the audit page."""

from trust import audit_words


def _said(action, object_type, actor="Sam Okafor"):
    return audit_words.sentence(action=action, actor=actor, object_type=object_type, client="Maya Thornbury")


def test_questionnaire_events_read_as_sentences():
    q = "previsit.questionnairerequest"
    assert _said("request", q) == "Sam Okafor asked for a questionnaire before a visit of Maya Thornbury"
    assert (
        _said("submit", q, actor="The client (by their link)")
        == "The client (by their link) sent a questionnaire before a visit of Maya Thornbury"
    )
    assert _said("accept", q) == "Sam Okafor accepted a questionnaire before a visit of Maya Thornbury"
    assert _said("discard", q) == "Sam Okafor discarded a questionnaire before a visit of Maya Thornbury"


def test_intake_events_read_as_sentences():
    i = "previsit.intakesubmission"
    assert (
        _said("create", i, actor="Desk Desk")
        == "Desk Desk added an intake form before a visit of Maya Thornbury"
    )
    assert _said("confirm", i) == "Sam Okafor confirmed an intake form before a visit of Maya Thornbury"
