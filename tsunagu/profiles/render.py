"""The directory's search form, built in Python.

Through the template engine (two dozen translated words, loops over the filter choices and the
selected state of each option) the form cost as much as the page's cards. The markup here is what
``directory.html`` had, built with the standard library's escape on every value.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _selected(flag: bool) -> str:
    return " selected" if flag else ""


def _options(state: str, choices: list[tuple[str, str]], between: str = "") -> str:
    return between.join(
        f'<option value="{escape(value)}"{_selected(state == value)}>{escape(label)}</option>'
        for value, label in choices
    )


def search_form_html(
    state: dict[str, Any],
    *,
    path: str,
    roles: list[tuple[str, Any]],
    industries: list[str],
    skills: list[str],
) -> SafeString:
    """The form with the request's words, filters, sort and view filled in."""
    search = escape(_("Search"))
    everyone = escape(_("All"))
    placeholder = escape(_("Name, company, department, skill… e.g. 人事, DX, 田中"))
    status, left_from, left_until = _("Status"), _("Left from"), _("Left until")
    department, industry, skill = _("Department"), _("Industry"), _("Skill")
    sort, view = _("Sort"), _("View")
    sorts = [
        ("name", _("Name")),
        ("updated", _("Recently updated")),
        ("joined", _("Newest members")),
    ]
    views = [("cards", _("Cards")), ("table", _("Table"))]
    between = "\n      "  # the template's layout of these two lists
    role_options = _options(state["role"], [(str(value), str(label)) for value, label in roles])
    industry_options = "".join(
        f"<option{_selected(state['industry'] == name)}>{escape(name)}</option>"
        for name in industries
    )
    skill_options = "".join(f'<option value="{escape(name)}">' for name in skills)
    return mark_safe(  # noqa: S308 - every value escaped above
        '<form class="directory-search card" method="get" role="search" '
        f'hx-get="{escape(path)}" hx-target="#results" hx-push-url="true" '
        'hx-trigger="input changed delay:300ms from:input[type=search], change, submit">\n'
        f'  <label class="visually-hidden" for="q">{search}</label>\n'
        f'  <input id="q" type="search" name="q" value="{escape(str(state["q"]))}" '
        f'placeholder="{placeholder}" autocomplete="off" maxlength="100">\n'
        '  <div class="filters">\n'
        f'    <label>{escape(status)}<select name="role"><option value="">{everyone}</option>'
        f"{role_options}</select></label>\n"
        f'    <label>{escape(left_from)}<input type="number" name="left_from" min="1950" '
        f'max="2100" value="{escape(str(state["left_from"]))}" inputmode="numeric"></label>\n'
        f'    <label>{escape(left_until)}<input type="number" name="left_to" min="1950" '
        f'max="2100" value="{escape(str(state["left_to"]))}" inputmode="numeric"></label>\n'
        f'    <label>{escape(department)}<input type="text" name="department" '
        f'value="{escape(str(state["department"]))}" maxlength="100"></label>\n'
        f'    <label>{escape(industry)}<select name="industry"><option value="">{everyone}'
        f"</option>{industry_options}</select></label>\n"
        f'    <label>{escape(skill)}<input type="text" name="skill" '
        f'value="{escape(str(state["skill"]))}" list="directory-skills" maxlength="50"></label>\n'
        f'    <datalist id="directory-skills">{skill_options}</datalist>\n'
        f'    <label>{escape(sort)}<select name="sort">\n'
        f"      {_options(state['sort'], sorts, between)}\n"
        "    </select></label>\n"
        f'    <label>{escape(view)}<select name="view">\n'
        f"      {_options(state['view'], views, between)}\n"
        "    </select></label>\n"
        f'    <button class="button button--small" type="submit">{search}</button>\n'
        "  </div>\n</form>"
    )
