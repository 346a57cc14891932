"""
Insights: when each request arrived on London's clock, when it was first answered, the indexes the figures need, and the "view
insights" permission, given to Clinic managers (not Reception).

The milestones of existing requests (when each first reached contacted, and booked) come from
their status history, or from their status now where the history has no such move. The first
responses of existing requests are worked out from their history: the first status
change from new to contacted, booked or closed, and the working time it took on the clinic's
hours as they are now (booking.working_hours, as the workflow does from now on).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from booking.models.insights_indexes import arrival_buckets
from booking.working_hours import working_time_between

RESPONSE_STATUSES = ("contacted", "booked", "closed")
BATCH_SIZE = 500
ARRIVAL_FIELDS = [
    ("arrival_week", models.DateField),
    ("arrival_weekday", models.PositiveSmallIntegerField),
    ("arrival_hour", models.PositiveSmallIntegerField),
]


def give_managers_insights(apps, schema_editor):
    booking = apps.get_app_config("booking")
    # Permissions are normally created after all migrations have run (as in 0002).
    models_module = getattr(booking, "models_module", None)
    booking.models_module = True
    create_permissions(booking, apps=apps, verbosity=0)
    booking.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="booking",
        content_type__model="consultationrequest",
        codename="view_insights",
    )
    # A deleted or renamed group is left as staff left it.
    for group in Group.objects.filter(name="Clinic manager"):
        group.permissions.add(permission)


def backfill_arrival_buckets(apps, schema_editor):
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    fields = ["arrival_week", "arrival_weekday", "arrival_hour"]
    batch = []
    for consultation_request in ConsultationRequest.objects.only("pk", "created_at").iterator(
        chunk_size=BATCH_SIZE
    ):
        for field, value in arrival_buckets(consultation_request.created_at).items():
            setattr(consultation_request, field, value)
        batch.append(consultation_request)
        if len(batch) == BATCH_SIZE:
            ConsultationRequest.objects.bulk_update(batch, fields)
            batch = []
    ConsultationRequest.objects.bulk_update(batch, fields)


def backfill_first_responses(apps, schema_editor):
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    RequestEvent = apps.get_model("booking", "RequestEvent")
    Clinic = apps.get_model("pages", "Clinic")
    clinics = Clinic.objects.prefetch_related("opening_hours", "closures").in_bulk()
    first_response = (
        RequestEvent.objects.filter(
            request=OuterRef("pk"),
            action="status",
            from_status="new",
            to_status__in=RESPONSE_STATUSES,
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    answered = (
        ConsultationRequest.objects.filter(first_response_at__isnull=True)
        .annotate(answered_at=Subquery(first_response))
        .filter(answered_at__isnull=False)
        .only("pk", "created_at", "clinic_id")
    )
    batch = []
    for consultation_request in answered.iterator(chunk_size=BATCH_SIZE):
        consultation_request.first_response_at = consultation_request.answered_at
        consultation_request.first_response_minutes = working_time_between(
            consultation_request.created_at,
            consultation_request.answered_at,
            clinic=clinics.get(consultation_request.clinic_id),
        ) // timedelta(minutes=1)
        batch.append(consultation_request)
        if len(batch) == BATCH_SIZE:
            ConsultationRequest.objects.bulk_update(
                batch, ["first_response_at", "first_response_minutes"]
            )
            batch = []
    ConsultationRequest.objects.bulk_update(batch, ["first_response_at", "first_response_minutes"])


def backfill_milestones(apps, schema_editor):
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    RequestEvent = apps.get_model("booking", "RequestEvent")

    def first_move_to(*statuses):
        return Subquery(
            RequestEvent.objects.filter(
                request=OuterRef("pk"), action="status", to_status__in=statuses
            )
            .order_by("created_at", "pk")
            .values("created_at")[:1]
        )

    # Booked (or closed as attended or did not attend) with no move to booked in its history:
    # its last status change is the best time known.
    last_change = Coalesce("status_changed_at", "created_at")
    requests = ConsultationRequest.objects.order_by()
    requests.update(booked_at=first_move_to("booked"))
    requests.filter(
        Q(status="booked") | Q(outcome__in=("attended", "did_not_attend")), booked_at__isnull=True
    ).update(booked_at=last_change)
    requests.update(contacted_at=first_move_to("contacted", "booked"))
    requests.filter(
        Q(status="contacted") | Q(booked_at__isnull=False), contacted_at__isnull=True
    ).update(contacted_at=Coalesce("booked_at", last_change))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("booking", "0007_appointments"),
        ("pages", "0002_team_clinics_costs_images"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="consultationrequest",
            options={
                "ordering": ["-is_clinical_priority", "created_at"],
                "permissions": [
                    ("export_consultationrequest", "Can export consultation requests to CSV"),
                    ("handle_rights_requests", "Can find, export and erase one person's data"),
                    ("view_insights", "Can view insights"),
                ],
            },
        ),
        *(
            migrations.AddField(
                model_name="consultationrequest",
                name=name,
                field=field_type(editable=False, null=True),
            )
            for name, field_type in ARRIVAL_FIELDS
        ),
        migrations.RunPython(backfill_arrival_buckets, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name="consultationrequest", name=name, field=field_type(editable=False)
            )
            for name, field_type in ARRIVAL_FIELDS
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="first_response_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="first_response_minutes",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="contacted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="consultationrequest",
            name="booked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="consultationrequest",
            index=models.Index(
                fields=[
                    "created_at",
                    "status",
                    "clinic",
                    "arrival_week",
                    "arrival_weekday",
                    "arrival_hour",
                    "is_clinical_priority",
                    "first_response_minutes",
                    "first_response_at",
                    "respond_by",
                    "contacted_at",
                    "booked_at",
                    "outcome",
                    "treatment",
                    "spam_reason",
                    "source_path",
                ],
                name="booking_insights_cover_idx",
            ),
        ),
        # One index per GROUP BY of the figures, so the database counts the requests in index
        # order instead of sorting them (booking.models.insights_indexes.INSIGHTS_GROUPING_INDEXES says
        # which earn their write cost).
        *(
            migrations.AddIndex(model_name="consultationrequest", index=index)
            for index in [
                models.Index(
                    fields=[
                        "arrival_week",
                        "clinic",
                        "created_at",
                        "status",
                        "contacted_at",
                        "booked_at",
                        "outcome",
                        "spam_reason",
                    ],
                    name="booking_insights_week_idx",
                ),
                models.Index(
                    fields=[
                        "source_path",
                        "created_at",
                        "clinic",
                        "status",
                        "booked_at",
                        "outcome",
                    ],
                    name="booking_insights_source_idx",
                ),
                models.Index(
                    fields=["treatment", "created_at", "clinic", "status", "booked_at", "outcome"],
                    name="booking_insights_treatment_idx",
                ),
                models.Index(
                    fields=["arrival_weekday", "arrival_hour", "created_at", "clinic", "status"],
                    name="booking_insights_arrival_idx",
                ),
                models.Index(
                    models.F("is_clinical_priority"),
                    models.F("arrival_week"),
                    models.Func(
                        models.F("first_response_minutes"),
                        template="((%(expressions)s + 3) / 6)",
                        output_field=models.IntegerField(),
                    ),
                    models.F("created_at"),
                    models.F("status"),
                    models.F("first_response_at"),
                    models.F("respond_by"),
                    models.F("clinic"),
                    models.F("first_response_minutes"),
                    name="booking_insights_answer_idx",
                ),
            ]
        ),
        # Reversing leaves the group's permission: the permission itself goes with the model's
        # options, and the fields with their values.
        migrations.RunPython(give_managers_insights, migrations.RunPython.noop),
        migrations.RunPython(backfill_first_responses, migrations.RunPython.noop),
        migrations.RunPython(backfill_milestones, migrations.RunPython.noop),
    ]
