"""The repository's scripts beyond the CLI run as the README shows them."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINT = ROOT / "results/checkpoints/reference/click_bell/pi05.safetensors"


def test_diagnose_click_bell_reports_one_line_per_episode():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts/diagnose_click_bell"), str(CHECKPOINT), "--seeds", "eval", "--episodes", "1"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 1
    match = re.fullmatch(
        r"seed 100000  bell \(([+-]\d\.\d\d), ([+-]\d\.\d\d)\)  (success|failure)  closest +(\d+\.\d) cm "
        r"\((left|right) arm\) at +([+-]\d+\.\d) cm  deepest press +(\d+) mm",
        lines[0],
    )
    assert match, lines[0]
    # The bell stands on the table's near half, inside RoboTwin's spawn range.
    assert -0.3 <= float(match.group(1)) <= 0.3 and -0.25 <= float(match.group(2)) <= 0.05
    # click_bell succeeds when the button goes down 1 cm: the deepest press agrees with the outcome.
    assert (match.group(3) == "success") == (int(match.group(7)) >= 10)


def test_diagnose_lift_pot_reports_where_the_expert_closed_its_hands():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts/diagnose_lift_pot"), "unused", "--policy", "expert", "--seeds", "eval",
         "--episodes", "1"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 1
    match = re.fullmatch(
        r"seed 100000  (success|failure)  left closed at step (\d+) +(\d+\.\d) cm from its handle  "
        r"right closed at step (\d+) +(\d+\.\d) cm from its handle  pot lifted +(\d+\.\d) cm "
        r"\(there: tilt +(\d+\.\d) deg, +(\d+\.\d) and +(\d+\.\d) cm from the handles\)",
        lines[0],
    )
    assert match, lines[0]
    # The expert closes both hands on their handles (the check allows 3 cm) and lifts past the 8 cm mark.
    assert match.group(1) == "success" and float(match.group(3)) < 1 and float(match.group(5)) < 1
    assert float(match.group(6)) >= 8 and float(match.group(7)) < 20


def test_diagnose_drift_measures_the_rollout_against_its_demonstration(tmp_path):
    subprocess.run([sys.executable, "-m", "gwbench", "collect", "--tasks", "click_bell", "--episodes", "1",
                    "--frame-stride", "2", "--out", str(tmp_path), "--no-progress"], check=True, capture_output=True,
                   timeout=300, cwd=ROOT)
    demos = str(tmp_path / "click_bell-clean.h5")

    def drift(*args, seeds="0"):
        return subprocess.run([sys.executable, str(ROOT / "scripts/diagnose_drift"), *args, "--task", "click_bell",
                               "--demos", demos, "--seeds", seeds], capture_output=True, text=True, timeout=300)

    pattern = r"seed 0: (success|failure) in (\d+) steps \(expert (\d+)\); rad every 8 steps:((?: \d+\.\d{3})+)"
    replay = re.fullmatch(pattern, drift("unused", "--policy", "expert").stdout.strip())
    assert replay and replay.group(1) == "success" and replay.group(2) == replay.group(3)
    assert {float(value) for value in replay.group(4).split()} == {0.0}  # the expert replays its own demo exactly
    learned = re.fullmatch(pattern, drift(str(CHECKPOINT), "--policy", "pi05").stdout.strip())
    assert learned and float(learned.group(4).split()[0]) == 0.0  # both start from the same rest pose
    assert len(learned.group(4).split()) > 1
    missing = drift("unused", "--policy", "expert", seeds="7")
    assert missing.returncode != 0 and "seed 7 is not in" in missing.stderr
