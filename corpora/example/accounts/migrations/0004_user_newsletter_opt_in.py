from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_alter_user_phone_number'),
    ]

    operations = [
        migrations.AddField(  # djstate: expect DJS202
            model_name='user',
            name='newsletter_opt_in',
            field=models.BooleanField(default=False),
        ),
    ]
