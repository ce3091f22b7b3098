"""
Email ownership: `email_verified` and `pending_email` on users, and the sent-mail markers that let
a mail job run twice without sending twice.

Existing accounts start unverified: nothing proved their addresses yet. In `mandatory` mode they
verify through `auth/email/verify/resend/` with their email (or a password reset, which proves the
address too). Reversing drops the columns and the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_outstanding_token_expiry_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SentMail",
            fields=[
                ("key", models.UUIDField(primary_key=True, serialize=False)),
                ("sent_at", models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
        ),
        migrations.AddField(
            model_name="user",
            name="email_verified",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="user",
            name="pending_email",
            field=models.EmailField(blank=True, max_length=254, null=True),
        ),
    ]
