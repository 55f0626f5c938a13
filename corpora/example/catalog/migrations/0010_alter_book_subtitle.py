from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_bookauthor_alter_book_authors'),
    ]

    operations = [
        migrations.AlterField(  # djstate: expect DJS201
            model_name='book',
            name='subtitle',
            field=models.CharField(blank=True, max_length=255),
        ),
    ]
