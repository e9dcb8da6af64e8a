from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import PlainErrors
from tsunagu.core.text import SingleLineField, visible
from tsunagu.core.widgets import FileInput
from tsunagu.tenancy.models import Network

from .actions import PollSpec
from .files import inspect_upload
from .models import BODY_MAX, Category, Thread


class AttachmentMixin:
    cleaned_data: dict[str, Any]

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        return inspect_upload(upload)[0] if upload else None  # an image: re-encoded


def attachment_field() -> forms.FileField:
    return forms.FileField(
        label=_("Image or PDF"),
        required=False,
        help_text=_("Optional: one PNG, JPEG, GIF or WebP image, or a PDF, up to 5 MB."),
        widget=FileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"}
        ),
    )


class ThreadForm(PlainErrors, AttachmentMixin, forms.ModelForm):
    # Declared here: the model's field would query categories outside any network scope.
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        queryset=None, label=_("category")
    )

    attachment = attachment_field()

    field_order = ["category", "kind", "title", "body", "attachment"]

    class Meta:
        model = Thread
        fields = ["kind", "title", "body"]
        field_classes = {"title": SingleLineField}
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["category"].empty_label = None  # type: ignore[attr-defined]
        self.fields["kind"].help_text = _(
            "A consultation asks the network for advice; you can mark the most helpful answer."
        )


class ThreadEditForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = Thread
        fields = ["title", "body"]
        field_classes = {"title": SingleLineField}
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class CommentForm(PlainErrors, AttachmentMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown is supported. Mention a member with @ and their name without spaces."
        ),
    )
    attachment = attachment_field()
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(PlainErrors, forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CategoryForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description", "position"]
        field_classes = {"name": SingleLineField, "description": SingleLineField}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = Category.objects.filter(network=self.network, name=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A category with this name already exists."))
        return name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return visible(obj.name)  # shown in the thread page shared by moderators


class MoveForm(forms.Form):
    category: forms.ModelChoiceField[Category] = CategoryChoiceField(
        queryset=None, label=_("Move to")
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["category"].empty_label = None  # type: ignore[attr-defined]


class PollForm(PlainErrors, forms.Form):
    """An optional poll attached to a new thread: left empty, no poll is made."""

    question = SingleLineField(label=_("Poll question"), max_length=200, required=False)
    options = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One choice per line, from 2 to 10."),
    )
    multiple = forms.BooleanField(label=_("Several answers allowed"), required=False)
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty to keep the poll open."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        question = (data.get("question") or "").strip()
        lines = [line.strip() for line in (data.get("options") or "").splitlines()]
        options = list(dict.fromkeys(line for line in lines if line))
        if not question:
            if options:
                self.add_error("question", _("Write the question of the poll."))
            return data
        if not 2 <= len(options) <= 10:
            self.add_error("options", _("Give from 2 to 10 different choices, one per line."))
        elif any(len(option) > 100 for option in options):
            self.add_error("options", _("Keep each choice under 100 characters."))
        closes_at = data.get("closes_at")
        if closes_at is not None and closes_at <= timezone.now():
            self.add_error("closes_at", _("The closing time must be in the future."))
        data["question"], data["option_list"] = question, options
        return data

    def spec(self) -> PollSpec | None:
        if not self.cleaned_data.get("question"):
            return None
        return PollSpec(
            question=self.cleaned_data["question"],
            options=self.cleaned_data["option_list"],
            multiple=self.cleaned_data["multiple"],
            closes_at=self.cleaned_data["closes_at"],
        )
