#!/usr/bin/env python3
"""How fast does an agent start from each root format? claw's launch -> first stdout byte, and
VMM spawn -> first stdout byte, for the static test agent booted from an initramfs, a
read-only ext4 disk and a read-only EROFS disk; and the size of each image.

The three formats are run in turn in one session (the order rotating every round), so the
machine's noise hits all alike; compare the ratios, not the absolute numbers (under TCG every
number is emulated time).

    bench/root_formats.py [--runs N] [--accel tcg|kvm]

Needs scripts/setup to have run (claw built, kernel cached, musl-gcc).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLAW = os.path.join(REPO, "claw")
AGENT_SOURCE = os.path.join(REPO, "src", "test", "resources", "agents", "test-agent.c")
FORMATS = ["initramfs", "ext4", "erofs"]


def make_agent(workdir):
    """The static test agent, in a folder with a profile that prints one line and exits."""
    subprocess.check_call(["musl-gcc", "-static", "-Os", "-std=gnu11", "-o",
                           os.path.join(workdir, "test-agent"), AGENT_SOURCE])
    with open(os.path.join(workdir, "claw.yaml"), "w") as f:
        f.write("name: formats\nbase: none\nfiles:\n  - {from: test-agent, to: /app/test-agent}\n"
                "run:\n  command: [/app/test-agent, streams]\n  workdir: /app\n")
    return workdir


def run_claw(agent, fmt, accel, timings_json, verbose=False):
    command = [CLAW, "run", "--format", fmt, "--accel", accel, "--timings-json", timings_json]
    proc = subprocess.run(command + (["--verbose"] if verbose else []) + [agent],
                          capture_output=True, text=True)
    if proc.returncode != 0 or proc.stdout != "to stdout\n":
        sys.exit(f"claw run --format {fmt} failed ({proc.returncode}):\n{proc.stderr}")
    with open(timings_json) as f:
        phases = json.load(f)["phases_ms"]
    return phases, proc.stderr


def image_sizes(agent, accel, timings_json):
    """Sizes as claw reports them with --verbose (KiB), from one run of each disk format."""
    sizes = {}
    for fmt in FORMATS[1:]:
        _, stderr = run_claw(agent, fmt, accel, timings_json, verbose=True)
        match = re.search(r"root disk: \w+, (\d+) KiB, read-only; initramfs (\d+) KiB", stderr)
        sizes[fmt] = (int(match.group(1)), int(match.group(2)))
    return sizes


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        agent = make_agent(workdir)
        timings = os.path.join(workdir, "t.json")
        for fmt in FORMATS:
            run_claw(agent, fmt, args.accel, timings)  # warm caches and the CDS archive
        results = {fmt: {"ready": [], "in_vm": [], "first": []} for fmt in FORMATS}
        for round_number in range(args.runs):
            shift = round_number % len(FORMATS)
            for fmt in FORMATS[shift:] + FORMATS[:shift]:
                phases, _ = run_claw(agent, fmt, args.accel, timings)
                results[fmt]["ready"].append(phases["image_ready"])
                results[fmt]["in_vm"].append(phases["first_stdout"] - phases["vmm_spawn"])
                results[fmt]["first"].append(phases["first_stdout"])
        sizes = image_sizes(agent, args.accel, timings)
        cpio = os.path.join(workdir, "full.cpio")
        subprocess.check_call([CLAW, "build", agent, "-o", cpio], stdout=subprocess.DEVNULL)
        initramfs_kib = os.path.getsize(cpio) // 1024

    base = {key: median(values) for key, values in results["initramfs"].items()}
    print(f"accelerator: {args.accel}, {args.runs} runs each, rotating order; medians in ms")
    print("| format | launch -> image ready | VMM spawn -> first stdout | launch -> first stdout"
          " | ratio (spawn -> stdout) | ratio (launch -> stdout) |")
    print("|---|---|---|---|---|---|")
    for fmt in FORMATS:
        m = {key: median(values) for key, values in results[fmt].items()}
        print(f"| {fmt} | {m['ready']:.0f} | {m['in_vm']:.0f} | {m['first']:.0f} | "
              f"{m['in_vm'] / base['in_vm']:.2f}x | {m['first'] / base['first']:.2f}x |")
    print(f"initramfs: {initramfs_kib} KiB, all of it in guest memory")
    for fmt, (disk, initramfs) in sizes.items():
        print(f"{fmt}: disk image {disk} KiB, initramfs {initramfs} KiB")


if __name__ == "__main__":
    main()
