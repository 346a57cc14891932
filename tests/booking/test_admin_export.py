"""The CSV export: who may, which columns, and cells a spreadsheet never runs as formulas."""

import csv
import io

import pytest

from booking.models import ConsultationRequest
from tests.booking.admin_helpers import QUEUE, messages_of, run_action
from tests.factories import make_request, make_treatment

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status


# --- CSV export -----------------------------------------------------------------------


def export(client, requests=(), **extra):
    response = run_action(client, "export_csv", requests, **extra)
    assert response["Content-Type"] == "text/csv; charset=utf-8", messages_of(response)
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_needs_the_export_permission(reception_client, bristol):
    request = make_request(clinic=bristol)
    assert "export_csv" not in reception_client.get(QUEUE).content.decode()
    response = run_action(reception_client, "export_csv", [request])
    assert response["Content-Type"].startswith("text/html")
    assert "No action selected." in messages_of(response)


def test_export_content(manager_client, bristol, manager):
    treatment = make_treatment("Moles")
    request = make_request(
        reference="CSC-EXP001",
        clinic=bristol,
        treatment=treatment,
        full_name="Zoë O'Connor-Ng",
        phone="+447700900123",
        email="zoe@example.com",
        message="Private health details",
        assigned_to=manager,
        is_clinical_priority=True,
    )
    (row,) = export(manager_client, [request])
    assert row["Reference"] == "CSC-EXP001"
    assert row["Patient name"] == "Zoë O'Connor-Ng"
    assert row["Phone"] == "07700 900123"
    assert row["Email"] == "zoe@example.com"
    assert row["Preferred clinic"] == "Bristol"
    assert row["Treatment"] == "Moles"
    assert row["Clinical priority"] == "Yes"
    assert row["Assigned to"] == "Max"
    assert row["Status"] == "New"
    assert "Private health details" not in str(row)
    assert "Message" not in row


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("Ordinary Name", "Ordinary Name"),
    ],
)
def test_export_neutralises_spreadsheet_formulas(manager_client, bristol, name, expected):
    request = make_request(clinic=bristol, full_name=name)
    (row,) = export(manager_client, [request])
    assert row["Patient name"] == expected


def test_export_neutralises_international_phone_numbers(manager_client, bristol):
    request = make_request(clinic=bristol, phone="+33142685300")
    (row,) = export(manager_client, [request])
    assert row["Phone"] == "'+33 1 42 68 53 00"


def test_export_of_all_respects_filters_search_and_clinic(manager_client, bristol, london):
    wanted = make_request(clinic=bristol, full_name="Kim Wanted", status=Status.CONTACTED)
    make_request(clinic=bristol, full_name="Kim Wanted", status=Status.NEW)
    make_request(clinic=bristol, full_name="Someone Else", status=Status.CONTACTED)
    london_request = make_request(clinic=london, full_name="Kim Wanted", status=Status.CONTACTED)

    rows = export(
        manager_client,
        [wanted],
        select_across="1",
        query="?status=contacted&q=wanted",
    )

    assert [row["Reference"] for row in rows] == [wanted.reference]
    # Selecting another clinic's row by hand exports nothing of it.
    assert export(manager_client, [london_request]) == []
