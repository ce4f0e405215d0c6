"""Load the demo clinic. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.log import run_alone
from clinic import services
from clinic.models import Client, ClinicProfile, User
from clinic.screening import QUESTIONS
from core import composition

DEMO_PASSWORD = "kinetic-demo"

STAFF = [
    # username, first, last, therapist, admin, credentials
    ("admin", "Morgan", "Reyes", False, True, ""),
    ("therapist", "Sam", "Okafor", True, False, "RMT, BSc Sports Therapy"),
    ("therapist2", "Alex", "Lindqvist", True, False, "RMT"),
]

# first, last, preferred, dob, sex, occupation, sports, volume, footwear, side,
# primary therapist, on both care teams, goals, health-screen yes-answers
CLIENTS = [
    (
        "Priya",
        "Raman",
        "",
        date(1988, 3, 14),
        "F",
        "Software engineer",
        "Road running (half marathons)",
        "45 km/week",
        "Neutral road shoes, 600 km old",
        "L",
        "therapist",
        False,
        "Run the city half marathon in April pain-free",
        {},
    ),
    (
        "Daniel",
        "Whitford",
        "Dan",
        date(1979, 11, 2),
        "M",
        "Warehouse supervisor",
        "Five-a-side football",
        "12 h/day standing on concrete",
        "Steel-toe work boots",
        "R",
        "therapist",
        True,
        "Get through a shift without limping",
        {"diabetes_neuropathy": "Type 2, diet-controlled; feet sensation normal on check"},
    ),
    (
        "Helen",
        "Marsh",
        "",
        date(1965, 6, 30),
        "F",
        "Retired teacher",
        "Hill walking",
        "3 walks/week, 8-15 km",
        "Leather hiking boots",
        "B",
        "therapist",
        False,
        "Walk the coast path in May",
        {"anticoagulant": "Apixaban since 2024 for atrial fibrillation"},
    ),
    (
        "Tomás",
        "Herrera",
        "",
        date(1995, 1, 22),
        "M",
        "Nurse",
        "Trail running",
        "60 km/week, mostly trails",
        "Zero-drop trail shoes",
        "L",
        "therapist",
        False,
        "Return to ultra training",
        {"steroid_injection": ("Left heel", timedelta(weeks=6))},
    ),
    (
        "Grace",
        "Adeyemi",
        "",
        date(1990, 9, 5),
        "F",
        "Retail assistant",
        "Gym classes",
        "On feet 8 h/day, 3 classes/week",
        "Flat canvas shoes at work",
        "R",
        "therapist",
        True,
        "Stand at work without heel pain",
        {},
    ),
    (
        "Robert",
        "Kowalski",
        "Bob",
        date(1958, 2, 11),
        "M",
        "Postal worker",
        "Walking",
        "15 km/day on foot delivering",
        "Work trainers",
        "B",
        "therapist",
        False,
        "Finish rounds pain-free until retirement",
        {"cardiac": "Hypertension, controlled on amlodipine"},
    ),
    (
        "Aisha",
        "Khan",
        "",
        date(2001, 4, 18),
        "F",
        "University student",
        "Netball",
        "3 sessions + 1 match/week",
        "Court shoes",
        "L",
        "therapist",
        False,
        "Play the full season",
        {},
    ),
    (
        "Liam",
        "O'Connor",
        "",
        date(1984, 12, 1),
        "M",
        "Chef",
        "Cycling",
        "10 h/day standing in kitchen",
        "Kitchen clogs",
        "R",
        "therapist2",
        True,
        "Get through weekend services",
        {},
    ),
    (
        "Mei",
        "Tanaka",
        "",
        date(1972, 7, 27),
        "F",
        "Hospital pharmacist",
        "Hiking and yoga",
        "2 hikes/month, on feet at work",
        "Supportive trainers",
        "L",
        "therapist2",
        False,
        "Complete a 3-day trek in September",
        {},
    ),
    (
        "Oliver",
        "Grant",
        "Olly",
        date(1999, 10, 9),
        "M",
        "Postman / amateur runner",
        "Track and road running",
        "70 km/week",
        "Carbon-plated racers for workouts",
        "R",
        "therapist2",
        False,
        "Sub-3 marathon",
        {"heel_soon": "Night ache after a sudden mileage jump; tenderness to check"},
    ),
    (
        "Fatima",
        "El-Sayed",
        "",
        date(1981, 5, 3),
        "F",
        "Primary school teacher",
        "Parkrun",
        "On feet all day; parkrun weekly",
        "Ballet flats at school",
        "L",
        "therapist2",
        False,
        "Run parkrun without next-day heel pain",
        {"varicose": "Right calf, mild"},
    ),
    (
        "George",
        "Mensah",
        "",
        date(1969, 8, 16),
        "M",
        "Security guard",
        "Walking football",
        "12 h shifts standing",
        "Boots",
        "B",
        "therapist2",
        True,
        "Stand through night shifts",
        {"dvt": "Calf swelling after long-haul flight last week"},
    ),
    (
        "Sofia",
        "Rossi",
        "",
        date(1993, 2, 28),
        "F",
        "Dancer and instructor",
        "Contemporary dance",
        "20 h/week dancing barefoot",
        "Barefoot / dance sneakers",
        "R",
        "therapist2",
        False,
        "Teach full timetable",
        {},
    ),
    (
        "Ethan",
        "Brooks",
        "",
        date(1987, 11, 19),
        "M",
        "Landscape gardener",
        "Mountain biking and hiking",
        "Outdoor work all day",
        "Work boots",
        "L",
        "therapist",
        False,
        "Hike the national three peaks",
        {},
    ),
]


def _answer(code: str, yes: dict, intake_at) -> tuple:
    """A screen answer; a yes given as (details, time before the intake) is dated."""
    value = yes.get(code)
    if value is None:
        return (False, "", None)
    if isinstance(value, tuple):
        details, before = value
        return (True, details, timezone.localdate(intake_at - before))
    return (True, value, None)


class Command(BaseCommand):
    help = "Load the demo clinic, users and clients (idempotent)."

    def handle(self, *args, **options):
        # Seeding runs alone and composes many services in one transaction.
        with run_alone(), transaction.atomic():
            self._seed(*args, **options)

    def _seed(self, *args, **options):
        profile = ClinicProfile.load()
        if profile.name == "Kinetic Chart Clinic":
            profile.name = "Northside Sports Massage & Movement"
            profile.address = "14 Mill Lane\nNorthside\nNS1 4AB"
            profile.phone = "+44 20 7946 0321"
            profile.email = "hello@northside-massage.example"
            profile.website = "northside-massage.example"
            profile.save()

        users = {}
        for username, first, last, therapist, admin, creds in STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_therapist": therapist,
                    "is_clinic_admin": admin,
                    "credentials": creds,
                    # A made-up registration number, printed under a letter's signature.
                    "registration_number": f"DEMO-{1000 + len(users)}" if therapist else "",
                    "email": f"{username}@northside-massage.example",
                    "is_staff": admin,
                    "is_superuser": admin,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user

        intake_at = timezone.now() - timedelta(weeks=12)
        clients = []
        for (
            first,
            last,
            preferred,
            dob,
            sex,
            occupation,
            sports,
            volume,
            footwear,
            side,
            primary,
            shared,
            goals,
            yes,
        ) in CLIENTS:
            client = Client.objects.filter(first_name=first, last_name=last, date_of_birth=dob).first()
            if client is None:
                team = [users["therapist"], users["therapist2"]] if shared else [users[primary]]
                client = services.client_create(
                    by=users["admin"],
                    data={
                        "first_name": first,
                        "last_name": last,
                        "preferred_name": preferred,
                        "date_of_birth": dob,
                        "sex": sex,
                        "occupation": occupation,
                        "sports": sports,
                        "weekly_volume": volume,
                        "footwear": footwear,
                        "involved_side": side,
                        "goals": goals,
                        "primary_therapist": users[primary],
                        "email": f"{slugify(first)}.{slugify(last)}@example.com",
                        "phone": f"07700 9{len(clients):02d}{dob.day:03d}",
                        "emergency_contact_name": "Next of kin",
                        "emergency_contact_phone": "07700 900999",
                        "referral_source": "GP" if len(clients) % 3 == 0 else "Word of mouth",
                    },
                    care_team=team,
                )
                # The intake (and the consent given with it) dates from the first
                # visit, twelve weeks ago.
                services.health_screen_record(
                    client=client,
                    by=users[primary],
                    answers={q.code: _answer(q.code, yes, intake_at) for q in QUESTIONS},
                    medications="None" if not yes else "See flags",
                    consent_given=True,
                    taken_at=intake_at,
                )
            clients.append(client)

        therapists = [users["therapist"], users["therapist2"]]
        # Each app adds its demo records (assessments, visits, programs), in the order the apps start.
        for _app_label, seed in composition.providers("demo_seed"):
            seed(clients=clients, therapists=therapists)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo clinic ready: {len(clients)} clients. Logins (password '{DEMO_PASSWORD}'): "
                "admin (clinic admin), therapist, therapist2 (therapists)."
            )
        )
