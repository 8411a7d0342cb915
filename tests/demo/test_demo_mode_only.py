from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from services.accounts.models import User


@pytest.mark.django_db
def test_the_demo_logins_are_never_created_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    call_command("load_reference", stdout=StringIO())
    with pytest.raises(CommandError, match="demo mode"):
        call_command("build_demo", stdout=StringIO())
    assert not User.objects.exists()
