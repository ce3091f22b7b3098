"""Every test of the project is collected: each app with tests, and e2e, is in pytest.ini's testpaths."""

import configparser

from django.apps import apps

from common.tests.new_process import BASE_DIR


def test_every_app_with_tests_is_in_the_test_paths():
    ini = configparser.ConfigParser()
    ini.read(BASE_DIR / "pytest.ini")
    testpaths = set(ini["pytest"]["testpaths"].split())
    with_tests = {
        config.label
        for config in apps.get_app_configs()
        if config.path.startswith(str(BASE_DIR)) and (BASE_DIR / config.label / "tests").is_dir()
    }
    assert with_tests, "no app of the project was found"
    assert with_tests - testpaths == set()
    assert "e2e" in testpaths
