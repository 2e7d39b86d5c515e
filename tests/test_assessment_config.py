"""The assessment configuration is validated at load, with errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerlist.assessment.config import BadAssessmentConfig, load_config, parse_config
from powerlist.data import __file__ as data_init

DEFAULT = (Path(data_init).parent / "assessment.toml").read_text(encoding="utf-8")


def test_default_configuration_loads_with_weights_summing_to_100() -> None:
    config = load_config()
    assert sum(config.weights.values()) == 100
    assert config.grades == (("优秀", 90.0), ("良好", 80.0), ("合格", 60.0))
    assert config.targets.training_hours_per_year == 20
    assert config.targets.credentialed_staff_strong == 3
    assert config.grade_of(90) == "优秀"
    assert config.grade_of(79.9) == "合格"
    assert config.grade_of(59.9) == "不合格"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("on_time = 30 ", "on_time = 35 ", "weights: must sum to 100, they sum to 105"),
        ("agreement = 10 ", "agreement = 10\nvolume = 0 ", "unknown indicator(s) volume"),
        ('"良好" = 80', '"良好" = 95', "优秀 (90) must be above 良好 (95)"),
        ('"合格" = 60', "", "grades: must give exactly 优秀、良好、合格"),
        ('failing = "整改"', 'failing = "警告"', "recommendations.failing: must be one of"),
        ("on_time_zero = 0.60", "on_time_zero = 0.99", "on_time_zero: must be below"),
        ("training_hours_per_year = 20.0", 'training_hours_per_year = "20"', "must be a number"),
        ("min_reported_share = 0.5", "min_reported_share = 1.5", "between 0 and 1, got 1.5"),
        ("[weights]", "[weight]", "[weights]: table missing"),
        ("returned = 10 ", "", "weights.returned: missing"),
        ("[grades]", "[grades", "not valid TOML"),
    ],
)
def test_invalid_configuration_is_refused_naming_file_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in DEFAULT
    path = tmp_path / "assessment.toml"
    path.write_text(DEFAULT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BadAssessmentConfig) as error:
        load_config(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_a_replacement_file_changes_the_scoring(tmp_path: Path) -> None:
    path = tmp_path / "strict.toml"
    path.write_text(DEFAULT.replace('"优秀" = 90', '"优秀" = 99'), encoding="utf-8")
    assert load_config(path).grade_of(95) == "良好"


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadAssessmentConfig, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_parse_names_the_source_it_was_given() -> None:
    with pytest.raises(BadAssessmentConfig, match=r"^upload\.toml: \[weights\]"):
        parse_config("", "upload.toml")
