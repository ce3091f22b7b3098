"""
Revoked sessions become login sessions: every login gets a row (address, user agent, last use),
ended ones keep theirs with `ended_at`, which the per-request check reads. The user row learns
whether two-factor authentication is on.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def ended_at_from_revoked_at(apps, schema_editor):
    # Rows that existed were revoked sessions: they ended when they were revoked.
    LoginSession = apps.get_model("accounts", "LoginSession")
    LoginSession.objects.update(created_at=F("ended_at"), last_used_at=F("ended_at"))


def active_sessions_dropped(apps, schema_editor):
    # Going back, only ended sessions have a place (revoked sessions); the others were never recorded.
    LoginSession = apps.get_model("accounts", "LoginSession")
    LoginSession.objects.filter(ended_at__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_email_verification_and_sent_mail"),
    ]

    operations = [
        migrations.RenameModel("RevokedSession", "LoginSession"),
        migrations.RenameField("loginsession", "revoked_at", "ended_at"),
        migrations.AlterField(
            model_name="loginsession",
            name="ended_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="loginsession",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="loginsession",
            name="last_used_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="loginsession",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="loginsession",
            name="user_agent",
            field=models.CharField(blank=True, default="", max_length=512),
        ),
        migrations.AlterField(
            model_name="loginsession",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="login_sessions",
                to="accounts.user",
            ),
        ),
        migrations.RunPython(ended_at_from_revoked_at, active_sessions_dropped),
        migrations.AlterModelOptions(name="loginsession", options={"ordering": ["-created_at"]}),
        migrations.AddIndex(
            model_name="loginsession",
            index=models.Index(fields=["user", "-created_at"], name="accounts_session_user_created"),
        ),
        migrations.AddField(
            model_name="user",
            name="mfa_enabled",
            field=models.BooleanField(default=False, editable=False),
        ),
    ]
