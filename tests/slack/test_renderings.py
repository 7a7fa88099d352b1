"""The views drawn in docs/views/ (docs/render_views.py) are real Block Kit from Ripple's own
code: each passes slack_sdk's validation and Slack's limits, and the drawing shows their words."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "render_views.py"


@pytest.fixture(scope="module")
def render():
    spec = importlib.util.spec_from_file_location("render_views", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def views(render):
    return render.build_views()


def test_the_five_main_views_are_drawn(views):
    assert set(views) == {
        "home-leader",
        "home-enabler",
        "what-helped",
        "consent-card",
        "weekly-prompt",
    }


def test_every_view_is_valid_block_kit_within_slacks_limits(views):
    for name, view in views.items():
        blocks = [Block.parse(b) for b in view["blocks"]]
        assert all(b is not None for b in blocks), name
        if view["kind"] == "home":
            View(type="home", blocks=view["blocks"]).validate_json()
            assert len(blocks) <= 100, name
        else:
            assert len(blocks) <= 50, name
        for block in view["blocks"]:
            assert len((block.get("text") or {}).get("text", "")) <= 3000, name
            for element in block.get("elements") or []:
                if element.get("type") == "button":
                    assert element["action_id"] and len(element["text"]["text"]) <= 75


def test_the_drawings_show_what_each_view_says(render, views):
    leader = render.to_html("home-leader", "home", views["home-leader"]["blocks"])
    assert "Your last commitment" in leader and "Your next weekly prompt" in leader
    assert "Show more" in leader and "⋯" in leader  # a long entry, and the overflow menu
    enabler = render.to_html("home-enabler", "home", views["home-enabler"]["blocks"])
    assert "Teams you support" in enabler and "Themes over the weeks" in enabler
    assert "not in a Ripple team" not in enabler
    card = render.to_html("consent-card", "message", views["consent-card"]["blocks"])
    assert "Revoke consent ⚠" in card  # a button that asks for confirmation first
    helped = render.to_html("what-helped", "message", views["what-helped"]["blocks"])
    assert "<blockquote>" in helped and "Source:" in helped and "👍 Useful" in helped
    prompt = render.to_html("weekly-prompt", "message", views["weekly-prompt"]["blocks"])
    assert "Start" in prompt and "Snooze 1 day" in prompt and "Skip this week" in prompt
