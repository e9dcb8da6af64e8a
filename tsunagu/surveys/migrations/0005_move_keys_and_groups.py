"""Named responses take the groups their member was counted in from the participation (which
loses them in 0006); every key derived from the member goes.

- Responses: the member-derived key is emptied. A named response is found by its member; an
  anonymous one answered before edit tokens existed can no longer be changed (its member is told
  they have answered), and nothing stored can tie it to them any more. Its answers and counts
  stay as they are.
- Drafts are moved under their member (the key is recognised once more, here, for the last time);
  a draft nobody is found for is deleted.
- The groups of anonymous participations are not moved: the cross-tabulation counts
  (GroupTally) hold them already, and a response must not.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations
from django.utils.encoding import force_bytes

# What keys.owner_key computed up to this migration.
SALT = b"tsunagu.surveys.owner"


def owner_key(survey_id: int, user_id: int) -> str:
    secret = hashlib.sha256(SALT + force_bytes(settings.SECRET_KEY)).digest()
    return hmac.new(secret, f"{survey_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def forwards(apps, schema_editor) -> None:
    Survey = apps.get_model("surveys", "Survey")
    Participation = apps.get_model("surveys", "Participation")
    Response = apps.get_model("surveys", "Response")
    Draft = apps.get_model("surveys", "Draft")
    Membership = apps.get_model("tenancy", "Membership")
    for survey in Survey.objects.filter(anonymity="named").only("pk").iterator():
        facts = {
            user_id: (role, year, department)
            for user_id, role, year, department in Participation.objects.filter(
                survey_id=survey.pk
            ).values_list("user_id", "role", "left_year", "department")
        }
        for response in Response.objects.filter(survey_id=survey.pk, user__isnull=False):
            role, year, department = facts.get(response.user_id, ("", None, ""))
            Response.objects.filter(pk=response.pk).update(
                role=role or "", left_year=year, department=department or ""
            )
    Response.objects.exclude(edit_key="").update(edit_key="")
    survey_ids = set(Draft.objects.values_list("survey_id", flat=True))
    for survey in Survey.objects.filter(pk__in=survey_ids):
        wanted = {
            d.owner_key: d.pk for d in Draft.objects.filter(survey_id=survey.pk, user__isnull=True)
        }
        users = Membership.objects.filter(network_id=survey.network_id).values_list(
            "user_id", flat=True
        )
        for user_id in users.iterator():
            pk = wanted.pop(owner_key(survey.pk, user_id), None)
            if pk is not None:
                Draft.objects.filter(pk=pk).update(user_id=user_id)
            if not wanted:
                break
    Draft.objects.filter(user__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0004_batches_and_edit_tokens"),
        ("tenancy", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
