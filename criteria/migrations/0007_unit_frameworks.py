"""Unit frameworks: the unit type a framework assesses and its rule for exempt units, each
criterion's kind (regular, bonus, penalty), the classification bands of the units' index.

The defaults leave the national framework as it was: no unit type, every criterion regular.
SQLite adds a column by rebuilding the table, which the triggers of 0002 (they read
criteria_criterion) forbid: they are dropped around that step and made again.
"""

from importlib import import_module

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


_triggers = import_module("criteria.migrations.0002_scores_within_maximum")


def drop_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _triggers.drop_triggers(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _triggers.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('criteria', '0006_national_standing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers, elidable=False),
        migrations.AddField(
            model_name='criterion',
            name='kind',
            field=models.CharField(choices=[('regular', 'Tiêu chí chấm điểm'), ('bonus', 'Điểm thưởng'), ('penalty', 'Điểm trừ')], default='regular', help_text='Điểm thưởng được cộng vào tổng điểm (có thể vượt điểm tối đa của bộ chỉ số); điểm trừ bị trừ đi, ghi bằng số điểm trừ tối đa (số dương). Tiêu chí con cùng loại với lĩnh vực của nó.', max_length=10, verbose_name='loại tiêu chí'),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers, elidable=False),
        migrations.AddField(
            model_name='framework',
            name='exemption_scaling',
            field=models.CharField(choices=[('proportional', 'Quy đổi theo tỷ lệ: điểm các tiêu chí chấm điểm × điểm tối đa của bộ chỉ số ÷ điểm tối đa của các tiêu chí đơn vị được chấm; điểm thưởng, điểm trừ giữ nguyên')], default='proportional', max_length=20, verbose_name='quy đổi điểm khi đơn vị được miễn tiêu chí'),
        ),
        migrations.AddField(
            model_name='framework',
            name='unit_type',
            field=models.CharField(blank=True, choices=[('department', 'Sở, ban, ngành tỉnh'), ('district', 'UBND cấp huyện'), ('commune', 'UBND cấp xã'), ('branch', 'Cơ quan ngành dọc Trung ương trên địa bàn tỉnh')], default='', help_text='Để trống với bộ chỉ số của Bộ Nội vụ (đánh giá tỉnh). Với bộ chỉ số của tỉnh đánh giá các sở, huyện, xã, cơ quan ngành dọc: tổng điểm tối đa là tổng điểm tối đa của các lĩnh vực chấm điểm, không kể điểm thưởng và điểm trừ.', max_length=20, verbose_name='loại đơn vị được đánh giá'),
        ),
        migrations.AddField(
            model_name='historicalcriterion',
            name='kind',
            field=models.CharField(choices=[('regular', 'Tiêu chí chấm điểm'), ('bonus', 'Điểm thưởng'), ('penalty', 'Điểm trừ')], default='regular', help_text='Điểm thưởng được cộng vào tổng điểm (có thể vượt điểm tối đa của bộ chỉ số); điểm trừ bị trừ đi, ghi bằng số điểm trừ tối đa (số dương). Tiêu chí con cùng loại với lĩnh vực của nó.', max_length=10, verbose_name='loại tiêu chí'),
        ),
        migrations.CreateModel(
            name='HistoricalUnitBand',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('unit_type', models.CharField(choices=[('department', 'Sở, ban, ngành tỉnh'), ('district', 'UBND cấp huyện'), ('commune', 'UBND cấp xã'), ('branch', 'Cơ quan ngành dọc Trung ương trên địa bàn tỉnh')], max_length=20, verbose_name='loại đơn vị')),
                ('name', models.CharField(max_length=60, verbose_name='xếp loại')),
                ('min_score', models.DecimalField(decimal_places=2, help_text='Tổng điểm (sau quy đổi, kể cả điểm thưởng, điểm trừ) từ mức này trở lên.', max_digits=6, verbose_name='từ tổng điểm')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical mức xếp loại đơn vị',
                'verbose_name_plural': 'historical mức xếp loại đơn vị',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='UnitBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('unit_type', models.CharField(choices=[('department', 'Sở, ban, ngành tỉnh'), ('district', 'UBND cấp huyện'), ('commune', 'UBND cấp xã'), ('branch', 'Cơ quan ngành dọc Trung ương trên địa bàn tỉnh')], max_length=20, verbose_name='loại đơn vị')),
                ('name', models.CharField(max_length=60, verbose_name='xếp loại')),
                ('min_score', models.DecimalField(decimal_places=2, help_text='Tổng điểm (sau quy đổi, kể cả điểm thưởng, điểm trừ) từ mức này trở lên.', max_digits=6, verbose_name='từ tổng điểm')),
            ],
            options={
                'verbose_name': 'mức xếp loại đơn vị',
                'verbose_name_plural': 'mức xếp loại đơn vị',
                'ordering': ['-year', 'unit_type', '-min_score'],
                'constraints': [models.UniqueConstraint(fields=('year', 'unit_type', 'name'), name='unit_band_name_unique'), models.UniqueConstraint(fields=('year', 'unit_type', 'min_score'), name='unit_band_bound_unique'), models.CheckConstraint(condition=models.Q(('min_score__gte', 0)), name='unit_band_not_negative')],
            },
        ),
    ]
