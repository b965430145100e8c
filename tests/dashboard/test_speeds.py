"""The what-if's CPU speed sliders: one per CPU, starting at the estimate's own speeds; the
Overview and the sidebar say where each app's ranking flips, and moving a slider past that
speed changes the recommendation as said."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import captions, ok

FLIP = re.compile(
    r"Break-even CPU speed:\*\* (?P<type>\S+) stays the cheapest for (?P<app>\w+) unless .*? "
    r"below (?P<speed>[\d.]+)× this host's core .*?; then (?P<key>.+?) on (?P<runner>\S+) wins"
)


def _instances(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption if "at the peak hour" in c.value)


def test_a_slider_per_cpu_and_the_flip_it_predicts(app: AppTest) -> None:
    sliders = {s.key: s for s in app.slider if s.key and s.key.startswith("whatif_speed_")}
    assert "whatif_speed_aws-graviton2" in sliders
    assert "c6g" in sliders["whatif_speed_aws-graviton2"].label
    assert "m6g" in sliders["whatif_speed_aws-graviton2"].label
    text = captions(app)
    assert "Flips: " in text
    flips = [m.groupdict() for m in FLIP.finditer(text)]
    assert flips, text
    flip = flips[0]
    assert flip["type"] in _instances(app)
    # the recommended type's CPU 5% below the break-even: the named runner-up takes over
    family = flip["type"].split(".")[0]
    cpu = next(k for k, s in sliders.items() if family in s.label.split(": ", 1)[1].split(", "))
    ok(app.slider(key=cpu).set_value(round(float(flip["speed"]) * 0.95, 2)).run())
    assert flip["runner"] in _instances(app)
