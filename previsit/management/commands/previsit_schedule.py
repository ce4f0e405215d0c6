"""Ask for every questionnaire whose schedule rule is due (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from previsit import services


class Command(BaseCommand):
    help = "Ask clients for the questionnaires their schedule rules make due."

    def handle(self, *args, **options):
        made = services.schedule_run()
        self.stdout.write(f"{made} questionnaire{'s' if made != 1 else ''} asked for.")
