"""Demo assessments: improving trends, idempotent."""

from __future__ import annotations

from assessments import demo
from assessments.models import Assessment


def test_demo_seeds_improving_assessments_once(make_client, treating, colleague):
    clients = [make_client(treating, involved_side="R"), make_client(colleague, care_team=[treating])]
    demo.seed(clients=clients, therapists=[treating, colleague])
    counts = [Assessment.objects.filter(client=c).count() for c in clients]
    assert all(2 <= n <= 3 for n in counts)
    first = clients[0]
    series = list(Assessment.objects.filter(client=first).order_by("assessed_on"))
    assert (series[-1].assessed_on - series[0].assessed_on).days >= 40
    assert all(a.is_signed for a in series[:-1]) and not series[-1].is_signed
    lefs = [a.responses.get(instrument="lefs").score for a in series]
    assert lefs == sorted(lefs) and lefs[-1] - lefs[0] >= 9
    reach = [a.measurements.get(code="knee_to_wall", side="R").value for a in series]
    assert reach[-1] > reach[0]
    demo.seed(clients=clients, therapists=[treating, colleague])
    assert [Assessment.objects.filter(client=c).count() for c in clients] == counts
