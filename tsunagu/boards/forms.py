from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagu.tenancy.models import Network

from .models import BODY_MAX, Category, Thread


class ThreadForm(forms.ModelForm):
    # Declared here: the model's field would query categories outside any network scope.
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        queryset=None, label=_("category")
    )

    field_order = ["category", "kind", "title", "body"]

    class Meta:
        model = Thread
        fields = ["kind", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["category"].empty_label = None  # type: ignore[attr-defined]
        self.fields["kind"].help_text = _(
            "A consultation asks the network for advice; you can mark the most helpful answer."
        )


class ThreadEditForm(forms.ModelForm):
    class Meta:
        model = Thread
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown is supported. Mention a member with @ and their name without spaces."
        ),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description", "position"]

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


class MoveForm(forms.Form):
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        queryset=None, label=_("Move to")
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(network=network)  # type: ignore[attr-defined]
