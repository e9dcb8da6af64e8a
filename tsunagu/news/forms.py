from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.images import ImageUploadField
from tsunagu.core.storage import PrivateImageInput
from tsunagu.core.text import SingleLineField
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.models import Membership

from .access import kinds_for
from .models import COMMENT_MAX, TAG_MAX, TAGS_MAX, Article, NewsSettings

SCHEDULE_DAYS_MAX = 3650
TAG_SEPARATORS = re.compile(r"[,、，#＃\s]+")


def parse_tags(raw: str) -> list[str]:
    """Tags from one text box: separated by commas, spaces or #; one spelling each."""
    seen: dict[str, str] = {}
    for name in TAG_SEPARATORS.split(raw or ""):
        name = name.strip()
        if name and normalize(name) not in seen:
            seen[normalize(name)] = name
    return list(seen.values())


class ArticleForm(PlainErrors, forms.ModelForm):
    tags = forms.CharField(
        label=_("tags"),
        required=False,
        max_length=200,
        help_text=_("Up to 5, separated by commas or spaces, e.g. DX, 新規事業"),
    )
    published_at = forms.DateTimeField(
        label=_("publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Leave empty to publish now; a later time keeps the article hidden until then."
        ),
    )

    class Meta:
        model = Article
        fields = ["kind", "title", "body", "cover"]
        field_classes = {"cover": ImageUploadField, "title": SingleLineField}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            # The stored cover has no public address: the widget shows it through ``cover_url``.
            "cover": PrivateImageInput(
                attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
            ),
        }

    def __init__(self, *args: Any, member: Membership, cover_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cover = self.fields["cover"].widget
        assert isinstance(cover, PrivateImageInput)
        cover.current_url = cover_url
        self.fields["kind"].choices = kinds_for(member)  # type: ignore[attr-defined]
        self.fields["title"].widget.attrs["maxlength"] = self.fields["title"].max_length  # type: ignore[attr-defined]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the article a title."))
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write the article before publishing it."))
        return body

    def clean_tags(self) -> list[str]:
        tags = parse_tags(self.cleaned_data.get("tags", ""))
        if len(tags) > TAGS_MAX:
            raise forms.ValidationError(_("Use at most %(count)d tags.") % {"count": TAGS_MAX})
        for tag in tags:
            # Stored normalised too, and NFKC can lengthen a tag: "㈱" is "(株)".
            if len(tag) > TAG_MAX or len(normalize(tag)) > TAG_MAX:
                raise forms.ValidationError(
                    _("A tag may have at most %(count)d characters.") % {"count": TAG_MAX}
                )
        return tags

    def clean_published_at(self) -> datetime | None:
        value = self.cleaned_data.get("published_at")
        # A typo such as the year 9999 would not even fit in UTC in a zone west of it.
        if value is not None and value > timezone.now() + timedelta(days=SCHEDULE_DAYS_MAX):
            raise forms.ValidationError(_("Choose a time within the next 10 years."))
        return value


class CommentForm(PlainErrors, forms.Form):
    body = forms.CharField(
        label=_("comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before posting."))
        return body


class NewsSettingsForm(forms.ModelForm):
    class Meta:
        model = NewsSettings
        fields = ["member_articles_need_approval"]
