# ruff: noqa: E501 - word-for-word evidence quotes and one-line CSS rules read better unwrapped
"""Render Ripple's main Slack views to HTML (and PNG, with headless Chromium) for docs/views/.

    python docs/render_views.py            # writes docs/views/*.json, *.html and, if Chromium
                                           # is installed (`apt-get install -y chromium`), *.png

Each view is built by Ripple's own Block Kit code (bot/slack/*) from example data, so what is
drawn is exactly what the app sends: the Home for a leader and for an enabler, a what-helped
answer, the consent card and the weekly prompt. The HTML is a faithful, simplified drawing of
Slack's layout (sections, context, dividers, buttons, overflow menus, mrkdwn), not Slack itself.
A dev-time aid only: nothing in the app or in CI needs Chromium.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "views"
sys.path.insert(0, str(ROOT))

NAMES = {"U0ALICE001": "alice", "U0BOB00002": "bob", "U0CAROL003": "carol", "U0SAM00009": "sam"}
CHANNELS = {"C0TEAM0001": "plymouth-alcohol"}
NOW = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in London


# --- the views, built by Ripple's own code ---------------------------------------------------
def _services(data_dir: Path):
    from bot.coaching.ports import FixedClock
    from bot.config import Settings
    from bot.services import Services

    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'journal.db'}")
    return Services(settings, clock=FixedClock(NOW))


def _example_team(services) -> None:
    from bot.coaching.ports import Who

    journal = services.journal
    team = "C0TEAM0001"
    journal.ensure_team(team, name="#plymouth-alcohol", workspace="T1", admin="U0ALICE001")
    for user in ("U0BOB00002", "U0CAROL003"):
        journal.add_member(team, user, workspace="T1")
    alice = Who(user="U0ALICE001", team=team, workspace="T1")
    bob = Who(user="U0BOB00002", team=team, workspace="T1")
    journal.save_entry(
        alice,
        "The board argued again about who pays for the pooled budget. I noticed I went quiet "
        "when the finance lead pushed back, and that the trust and the council each think the "
        "other is dodging the cost. What we haven't done is agree what outcome we are buying "
        "together for residents. " * 3,
        themes=("conflict", "shared_purpose"),
        commitment="Invite both finance leads to an hour next Tuesday to agree one outcome.",
        shared=True,
    )
    journal.save_entry(
        alice,
        "A private note: I need the chief executive's cover before I go further.",
        themes=("authorising_environment",),
    )
    journal.save_entry(
        bob,
        "We finally said out loud what we are for: fewer people arriving at A&E in crisis.",
        themes=("shared_purpose",),
        shared=True,
    )
    journal.add_enabler("U0SAM00009", team)
    journal.grant_consent("U0ALICE001", team)
    journal.add_enabler_note("U0SAM00009", team, "Ask how the finance conversation went.")


def build_views() -> dict[str, dict]:
    """name -> {"kind": "home" | "message", "blocks": [...]}, all from bot/slack code."""
    from bot.coaching.reply import Action, PlaceGroup, Reply, ReplyKind
    from bot.evidence.passage import Passage
    from bot.slack import home
    from bot.slack.blocks import as_dicts, render_reply
    from bot.slack.privacy_blocks import consent_card
    from bot.slack.scheduler import prompt_actions

    views: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        services = _services(Path(tmp))
        _example_team(services)
        views["home-leader"] = {
            "kind": "home",
            "blocks": home.build_home(services, "U0ALICE001")["blocks"],
        }
        views["home-enabler"] = {
            "kind": "home",
            "blocks": home.build_home(services, "U0SAM00009")["blocks"],
        }
        state = services.journal.consent_state("C0TEAM0001")
        views["consent-card"] = {
            "kind": "message",
            "blocks": as_dicts(
                consent_card(state, "<#C0TEAM0001>", ["U0SAM00009"], ["U0ALICE001"])
            ),
        }
        services.journal.close()

    def passage(place: str, text: str, cite: str) -> Passage:
        return Passage(
            doc="002_ee7f87da510b47a4.txt",
            title="UK leadership scenarios",
            section="",
            places=(place,),
            start=0,
            end=len(text),
            text=text,
            doc_id="002",
            quote=text,
            cite=cite,
        )

    helped = Reply(
        ReplyKind.HELPED,
        "Here is what others found when partners disagreed about pooled budgets: Barnet, "
        "then North West London.",
        groups=[
            PlaceGroup(
                "Barnet",
                (
                    passage(
                        "Barnet",
                        "I wanted to have some ‘proper’ Systems Leadership – I wanted us to create a "
                        "real pooled budget and have systems to support that properly – all across the "
                        "partnership.",
                        "UK leadership scenarios, Virtual Staff College, 2013 · Barnet ‘Troubled Families’",
                    ),
                ),
            ),
            PlaceGroup(
                "North West London",
                (
                    passage(
                        "North West London",
                        "Once the initial mistrust had been overcome, followed by the resolution of a "
                        "balanced approach to finances, there have been few significant tensions within "
                        "the programme to date that could not be resolved – sometimes by using the "
                        "energy of the conflict to find better solutions.",
                        "UK leadership scenarios, Virtual Staff College, 2013 · North West London",
                    ),
                ),
            ),
        ],
        question="What would a balanced approach to finances look like between your partners?",
        actions=[
            Action("feedback_up", "Useful"),
            Action("feedback_down", "Not useful"),
            Action("save_to_journal", "Save to journal"),
        ],
    )
    views["what-helped"] = {
        "kind": "message",
        "blocks": as_dicts(render_reply(helped, {"q": "pooled budgets"})),
    }
    prompt = Reply(
        ReplyKind.REFLECTION,
        "It's time for your weekly reflection. Last week you said you would invite both finance "
        "leads to agree one outcome.",
        question="How did that go?",
    )
    prompt.actions, context = prompt_actions("C0TEAM0001", 2026, 14)
    views["weekly-prompt"] = {"kind": "message", "blocks": as_dicts(render_reply(prompt, context))}
    return views


# --- Block Kit JSON -> HTML ----------------------------------------------------------------------
EMOJI = {
    "lock": "🔒",
    "busts_in_silhouette": "👥",
    "white_circle": "⚪",
    "large_green_circle": "🟢",
    "wastebasket": "🗑️",
    "white_check_mark": "✅",
    "information_source": "ℹ️",
}


def mrkdwn(text: str) -> str:
    """Slack mrkdwn to HTML: quotes, code blocks, *bold*, _italic_, mentions, dates, emoji."""
    text = text.replace("&lt;", "\x01").replace("&gt;", "\x02").replace("&amp;", "\x03")
    blocks = []

    def keep_code(m):
        blocks.append(m.group(1))
        return f"\x04{len(blocks) - 1}\x04"

    text = re.sub(r"```\n?(.*?)\n?```", keep_code, text, flags=re.S)
    out = html.escape(text, quote=False)
    out = re.sub(
        r"&lt;@(\w+)(?:\|[^&]*)?&gt;",
        lambda m: f'<span class="mention">@{NAMES.get(m.group(1), m.group(1))}</span>',
        out,
    )
    out = re.sub(
        r"&lt;#(\w+)(?:\|[^&]*)?&gt;",
        lambda m: f'<span class="mention">#{CHANNELS.get(m.group(1), m.group(1))}</span>',
        out,
    )
    out = re.sub(r"&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;", r'<span class="date">\1</span>', out)
    out = re.sub(r":([a-z_]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), out)
    out = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])", r"<i>\1</i>", out)
    out = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", out)
    lines, html_lines, quote = out.split("\n"), [], []
    for line in [*lines, ""]:
        if line.startswith("&gt; ") or line == "&gt;":
            quote.append(line[5:])
            continue
        if quote:
            html_lines.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote = []
        html_lines.append(line)
    out = "<br>".join(html_lines).replace("</blockquote><br>", "</blockquote>")
    out = re.sub(
        r"\x04(\d+)\x04", lambda m: "<pre>" + html.escape(blocks[int(m.group(1))]) + "</pre>", out
    )
    out = out.replace("\x01", "&lt;").replace("\x02", "&gt;").replace("\x03", "&amp;")
    while out.endswith("<br>"):
        out = out[:-4]
    return out


def _text(obj: dict | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "plain_text":
        return html.escape(obj.get("text", ""))
    return mrkdwn(obj.get("text", ""))


def _element(el: dict) -> str:
    if el.get("type") == "button":
        style = el.get("style", "")
        confirm = ' title="asks to confirm first"' if el.get("confirm") else ""
        mark = " ⚠" if el.get("confirm") else ""
        return f'<span class="button {style}"{confirm}>{_text(el.get("text"))}{mark}</span>'
    if el.get("type") == "overflow":
        items = "".join(f"<li>{_text(o['text'])}</li>" for o in el.get("options", []))
        return f'<span class="overflow">⋯<ul>{items}</ul></span>'
    return ""


def block_html(block: dict) -> str:
    kind = block.get("type")
    if kind == "header":
        return f'<div class="header">{_text(block["text"])}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        return '<div class="context">' + " ".join(_text(e) for e in block["elements"]) + "</div>"
    if kind == "actions":
        return '<div class="actions">' + "".join(_element(e) for e in block["elements"]) + "</div>"
    if kind == "section":
        accessory = _element(block["accessory"]) if block.get("accessory") else ""
        return f'<div class="section"><div class="body">{_text(block.get("text"))}</div>{accessory}</div>'
    return f'<div class="unknown">[{html.escape(str(kind))}]</div>'


CSS = """
body{font-family:Lato,'Helvetica Neue',Arial,sans-serif;font-size:15px;color:#1d1c1d;background:#fff;margin:0}
.frame{width:760px;padding:18px 24px}
.msg{display:flex;gap:10px}.avatar{width:36px;height:36px;border-radius:6px;background:#1d4f6e;color:#fff;
font-weight:bold;display:flex;align-items:center;justify-content:center;flex:none}
.who{font-weight:900}.app{font-size:11px;background:#e8e8e8;border-radius:3px;padding:1px 4px;margin-left:4px;color:#616061}
.tab{font-size:13px;color:#616061;border-bottom:1px solid #ddd;margin-bottom:12px;padding-bottom:6px}
.header{font-size:20px;font-weight:900;margin:10px 0 6px}
.section{display:flex;justify-content:space-between;gap:12px;margin:6px 0;line-height:1.45}
.body{flex:1}.context{font-size:12.5px;color:#616061;margin:4px 0}
hr{border:0;border-top:1px solid #e2e2e2;margin:10px 0}
blockquote{border-left:4px solid #ddd;margin:4px 0;padding:0 0 0 10px;color:#1d1c1d}
pre{background:#f8f8f8;border:1px solid #e2e2e2;border-radius:4px;padding:8px;font-size:12.5px}
code{background:#f4f4f4;border:1px solid #e2e2e2;border-radius:3px;padding:0 3px;font-size:12.5px;color:#c01343}
.actions{margin:8px 0;display:flex;gap:8px;flex-wrap:wrap}
.button{border:1px solid #bbb;border-radius:4px;padding:4px 12px;font-weight:700;font-size:13.5px;background:#fff}
.button.primary{background:#007a5a;color:#fff;border-color:#007a5a}.button.danger{color:#e01e5a;border-color:#e01e5a}
.overflow{border:1px solid #ccc;border-radius:4px;padding:0 8px;height:26px;font-weight:900;position:relative}
.overflow ul{display:none}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.date{color:#1264a3}
"""


def to_html(name: str, kind: str, blocks: list[dict]) -> str:
    body = "".join(block_html(b) for b in blocks)
    if kind == "home":
        inner = f'<div class="tab">Ripple · <b>Home</b> · Messages · About</div>{body}'
    else:
        inner = (
            '<div class="msg"><div class="avatar">R</div><div style="flex:1">'
            f'<div><span class="who">Ripple</span><span class="app">APP</span></div>{body}</div></div>'
        )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{name}</title>"
        f"<style>{CSS}</style></head><body><div class='frame'>{inner}</div></body></html>"
    )


def screenshot(page: Path, png: Path, height: int = 1200) -> bool:
    browser = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if not browser:
        return False
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={png}",
            f"--window-size=808,{height}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png.exists()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, view in build_views().items():
        (OUT / f"{name}.json").write_text(json.dumps(view["blocks"], ensure_ascii=False, indent=1))
        page = OUT / f"{name}.html"
        page.write_text(to_html(name, view["kind"], view["blocks"]))
        height = {"home-leader": 1000, "home-enabler": 1150, "what-helped": 900}.get(name, 620)
        shot = screenshot(page, OUT / f"{name}.png", height)
        print(f"{name}: {len(view['blocks'])} blocks" + (" (png)" if shot else ""))


if __name__ == "__main__":
    main()
