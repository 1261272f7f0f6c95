#!/usr/bin/env python3
"""What does claw add to a microVM's start? claw's launch -> first stdout byte, against a
hand-written qemu-system-x86_64 line booting the same kernel and the same image.

Both are run alternately in one session, so the machine's noise hits both alike; compare the
ratio, not the absolute numbers (under TCG every number is emulated time).

    bench/launch_overhead.py [--runs N] [--accel tcg|kvm]

Needs scripts/setup to have run (claw built, kernel cached, examples built).
"""
import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLAW = os.path.join(REPO, "claw")
AGENT = os.path.join(REPO, "examples", "hello")


def tsc_khz():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return round(float(line.split(":")[1]) * 1000)
    return None


def hand_written_qemu(kernel, initrd, sock, accel):
    """The smallest QEMU line that boots claw's kernel and init and carries the channel, with
    the same kernel command line claw uses: the comparison is of claw's own overhead, not of
    its boot tuning."""
    cpu = ["-cpu", "host"] if accel == "kvm" else ["-cpu", "max"]
    append = "console=ttyS0 quiet reboot=t panic=-1"
    if accel == "tcg":
        append += f" tsc_early_khz={tsc_khz()} tsc=reliable no_timer_check noapictimer"
    return ["qemu-system-x86_64",
            "-M", "microvm,x-option-roms=off,isa-serial=on,acpi=off", "-accel", accel, *cpu,
            "-m", "128M", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", kernel, "-initrd", initrd,
            "-append", append + " claw.channel=/dev/vport0p1",
            "-serial", "null",
            "-device", "virtio-serial-device,max_ports=2",
            "-chardev", f"socket,id=c,path={sock}",
            "-device", "virtserialport,chardev=c,name=claw.0"]


def run_claw(accel, timings_json):
    start = time.monotonic()
    proc = subprocess.Popen([CLAW, "run", "--accel", accel, "--timings-json", timings_json,
                             AGENT], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.read(1)
    first = time.monotonic() - start
    proc.stdout.read()
    proc.wait()
    total = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"claw run failed with {proc.returncode}")
    with open(timings_json) as f:
        phases = json.load(f)["phases_ms"]
    in_vm = (phases["first_stdout"] - phases["vmm_spawn"]) / 1000
    return first, total, in_vm


def run_qemu(kernel, initrd, workdir, accel):
    sock = os.path.join(workdir, "c.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock)
    server.listen(1)
    start = time.monotonic()
    proc = subprocess.Popen(hand_written_qemu(kernel, initrd, sock, accel),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn, _ = server.accept()
    kinds = []
    first = None
    stream = conn.makefile("rb")
    while True:
        header = stream.read(5)
        if len(header) < 5:
            break
        kind, length = header[0:1], struct.unpack("<I", header[1:])[0]
        stream.read(length)
        kinds.append(kind)
        if kind == b"O" and first is None:
            first = time.monotonic() - start
        if kind in (b"X", b"F"):
            break
    proc.wait()
    total = time.monotonic() - start
    if first is None:
        sys.exit(f"the hand-written VM printed nothing; frames seen: {kinds}")
    conn.close()
    server.close()
    return first, total


def summary(values):
    return (f"median {statistics.median(values):.3f} s, min {min(values):.3f} s, "
            f"max {max(values):.3f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    args = parser.parse_args()

    kernel = subprocess.check_output([CLAW, "kernel", "path"], text=True).strip()
    with tempfile.TemporaryDirectory() as workdir:
        initrd = os.path.join(workdir, "hello.cpio")
        subprocess.check_call([CLAW, "build", AGENT, "-o", initrd], stdout=subprocess.DEVNULL)
        run_claw(args.accel, os.path.join(workdir, "t.json"))  # warm caches and the CDS archive
        claw_first, claw_total, claw_in_vm, qemu_first, qemu_total = [], [], [], [], []
        for _ in range(args.runs):
            first, total, in_vm = run_claw(args.accel, os.path.join(workdir, "t.json"))
            claw_first.append(first)
            claw_total.append(total)
            claw_in_vm.append(in_vm)
            first, total = run_qemu(kernel, initrd, workdir, args.accel)
            qemu_first.append(first)
            qemu_total.append(total)

    print(f"accelerator: {args.accel}, {args.runs} runs each, alternating")
    print(f"claw run, launch -> first stdout:        {summary(claw_first)}")
    print(f"claw run, VMM spawn -> first stdout:     {summary(claw_in_vm)}")
    print(f"hand-written qemu, spawn -> first stdout: {summary(qemu_first)}")
    print(f"claw run, launch -> exit:                {summary(claw_total)}")
    print(f"hand-written qemu, spawn -> exit:        {summary(qemu_total)}")
    ratio = statistics.median(claw_first) / statistics.median(qemu_first)
    vm_ratio = statistics.median(claw_in_vm) / statistics.median(qemu_first)
    print(f"ratio, launch -> first stdout (claw / hand-written):    {ratio:.2f}x")
    print(f"ratio, VMM spawn -> first stdout (claw / hand-written): {vm_ratio:.2f}x")


if __name__ == "__main__":
    main()
