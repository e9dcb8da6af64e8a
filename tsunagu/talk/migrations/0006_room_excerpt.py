"""The room list shows each room's newest message from what is stored on the room
(talk/excerpts.py); rooms that existed before get it from their messages."""

import re
from html import unescape

import django.db.models.deletion
from django.db import migrations, models
from django.utils.html import strip_tags

# A copy of talk.excerpts.excerpt_of() as it was when this migration was written.
EXCERPT_CHARS = 40
BREAK = re.compile(r"<(?:br|/p|/li|/h[1-6]|/blockquote|/pre|/tr|/td|/th)\b[^>]*>", re.I)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def excerpt_of(html):
    html = html[: EXCERPT_CHARS * 40]
    if html.rfind("<") > html.rfind(">"):
        html = html[: html.rfind("<")]
    text = strip_tags(BREAK.sub(" ", html))
    text = CONTROL.sub("", " ".join(unescape(text).split()))
    if len(text) > EXCERPT_CHARS:
        return text[:EXCERPT_CHARS].rstrip() + "…"
    return text


def fill_excerpts(apps, schema_editor):
    Room = apps.get_model("talk", "Room")
    Message = apps.get_model("talk", "Message")
    for room in Room.objects.filter(last_seq__gt=0).only("pk").iterator():
        newest = (
            Message.objects.filter(
                room_id=room.pk, thread_root__isnull=True, deleted_at__isnull=True, is_hidden=False
            )
            .order_by("-seq")
            .only("seq", "sender_id", "body_html", "created_at")
            .first()
        )
        if newest is not None:
            Room.objects.filter(pk=room.pk).update(
                excerpt_seq=newest.seq,
                excerpt_sender_id=newest.sender_id,
                excerpt=excerpt_of(newest.body_html),
                excerpt_at=newest.created_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("talk", "0005_roommember_via_role"),
        ("tenancy", "0010_network_talk_enter_sends"),
    ]

    operations = [
        migrations.AddField(
            model_name="room",
            name="excerpt_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="room",
            name="excerpt_sender",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="tenancy.membership",
            ),
        ),
        migrations.AddField(
            model_name="room",
            name="excerpt",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="room",
            name="excerpt_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop),
    ]
