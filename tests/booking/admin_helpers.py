"""Helpers for the admin tests: open the queue, send the request page's form as a browser
would, run a bulk action."""

from html.parser import HTMLParser

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

QUEUE = reverse("admin:booking_consultationrequest_changelist")


def change_url(request):
    return reverse("admin:booking_consultationrequest_change", args=[request.pk])


def assign_to_me_url(request):
    return reverse("admin:booking_consultationrequest_assign_to_me", args=[request.pk])


def queue(client, **params):
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


class FormReader(HTMLParser):
    """Reads a form's fields the way a browser would submit them (no JavaScript)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.data = []
        self.field_names = set()
        self.select = None
        self.select_options = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            self.field_names.add(name)
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.field_names.add(name)
            self.select, self.select_options = name, []
        elif tag == "option" and self.select:
            self.select_options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.field_names.add(name)
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and self.select_options:
                chosen = [self.select_options[0][0]]
            self.data.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.append((name, text.removeprefix("\n")))
            self.textarea = None


def read_form(response, form_id="consultationrequest_form"):
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return reader


def submit_change_form(client, request, **changes):
    """Load the request page, change some fields as a person would, and send it."""
    response = client.get(change_url(request))
    assert response.status_code == 200
    form = read_form(response)
    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    return client.post(change_url(request), data)


def run_action(client, action, requests, **extra):
    data = {
        "action": action,
        ACTION_CHECKBOX_NAME: [str(r.pk) for r in requests],
        "index": "0",
        **extra,
    }
    return client.post(QUEUE + extra.pop("query", ""), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]
