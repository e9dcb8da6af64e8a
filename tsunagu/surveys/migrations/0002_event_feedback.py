"""Feedback given on events before surveys existed becomes each event's feedback survey."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils.encoding import force_bytes

# What the code says at the time of writing (keys.owner_key, event_feedback): a migration does
# not import the app's modules, which may change later.
SALT = b"tsunagu.surveys.owner"
OPEN_FOR = timedelta(days=14)


def owner_key(survey_id: int, user_id: int) -> str:
    secret = hashlib.sha256(SALT + force_bytes(settings.SECRET_KEY)).digest()
    return hmac.new(secret, f"{survey_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def forwards(apps, schema_editor) -> None:
    Feedback = apps.get_model("events", "Feedback")
    Event = apps.get_model("events", "Event")
    Membership = apps.get_model("tenancy", "Membership")
    Profile = apps.get_model("profiles", "Profile")
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    Participation = apps.get_model("surveys", "Participation")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    event_ids = Feedback.objects.values_list("event_id", flat=True).distinct()
    for event in Event.objects.filter(pk__in=list(event_ids)).order_by("pk"):
        survey = Survey.objects.filter(event=event, is_event_feedback=True).first()
        if survey is None:
            survey = Survey.objects.create(
                network_id=event.network_id,
                title=f"アンケート: {event.title}"[:200],
                anonymity="named",
                audience="event",
                event=event,
                opens_at=event.ends_at,
                closes_at=event.ends_at + OPEN_FOR,
                published=True,
                is_event_feedback=True,
                created_by_id=event.created_by_id,
                invited_at=event.followed_up_at or event.ends_at,
                # The answers are written here, not by the actions: counted on the first view.
                tallied=False,
            )
        rating, created = Question.objects.get_or_create(
            survey=survey, position=1,
            defaults={"network_id": event.network_id, "kind": "scale", "text": "いかがでしたか?",
                      "help_text": "1: 不満 … 5: 大変満足", "required": True},
        )  # fmt: skip
        comment, created = Question.objects.get_or_create(
            survey=survey, position=2,
            defaults={"network_id": event.network_id, "kind": "long", "text": "コメント"},
        )  # fmt: skip
        roles = dict(
            Membership.objects.filter(network_id=event.network_id).values_list("user_id", "role")
        )
        profiles = {
            user_id: (left_on.year if left_on else None, department)
            for user_id, left_on, department in Profile.objects.filter(
                network_id=event.network_id
            ).values_list("membership__user_id", "left_on", "last_department")
        }
        # Also runs against the models of later migrations (its test calls it with the current
        # ones): 0006 moved the groups from the participation to the named response and 0005
        # dropped the owner key.
        later = not any(f.name == "role" for f in Participation._meta.get_fields())
        for feedback in Feedback.objects.filter(event=event).order_by("pk"):
            left_year, department = profiles.get(feedback.user_id, (None, ""))
            facts = {
                "role": roles.get(feedback.user_id, ""),
                "left_year": left_year,
                "department": department[:100],
            }
            _participation, new = Participation.objects.get_or_create(
                survey=survey,
                user_id=feedback.user_id,
                defaults={"network_id": event.network_id, **({} if later else facts)},
            )
            if not new:
                continue
            keys = facts if later else {"owner_key": owner_key(survey.pk, feedback.user_id)}
            response = Response.objects.create(
                network_id=event.network_id,
                survey=survey,
                user_id=feedback.user_id,
                submitted_at=feedback.created_at,
                **keys,
            )
            Answer.objects.create(
                network_id=event.network_id, survey=survey, response=response,
                question=rating, number=feedback.rating,
            )  # fmt: skip
            if feedback.comment:
                Answer.objects.create(
                    network_id=event.network_id, survey=survey, response=response,
                    question=comment, text=feedback.comment[:4000],
                )  # fmt: skip
        survey.audience_size = (
            apps.get_model("events", "Registration")
            .objects.filter(event=event, status__in=["confirmed", "attended"])
            .count()
        )
        survey.tallied = False
        survey.save(update_fields=["audience_size", "tallied"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("events", "0007_calendar_feed_key"),
        ("tenancy", "0007_network_supporters_may_create_surveys"),
        ("profiles", "0005_sort_name_of_hidden_readings"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
