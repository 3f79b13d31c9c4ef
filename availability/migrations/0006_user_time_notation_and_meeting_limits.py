from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('availability', '0005_insufficient_scope'),
    ]

    operations = [
        migrations.AddField(
            model_name='calendlyuser',
            name='time_notation',
            field=models.CharField(blank=True, max_length=3),
        ),
        migrations.AddField(
            model_name='calendlyuser',
            name='daily_limit',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='calendlyuser',
            name='weekly_limit',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='calendlyuser',
            name='monthly_limit',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
