package dev.claw.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw.ClawException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuMicrovmTest {
  private final QemuMicrovm qemu = new QemuMicrovm(Optional.of(Path.of("/usr/bin/qemu")),
      Optional.empty(), Optional.empty(), () -> Optional.of(2_596_136L));

  @Test
  void vmHasNoDevicesBeyondConsoleAndChannel() {
    List<String> args = qemu.arguments(spec(Accelerator.TCG, true));

    assertThat(args).contains("-nodefaults", "-no-user-config", "-no-reboot");
    assertThat(args).filteredOn(a -> a.startsWith("virtio") || a.startsWith("virtserial"))
        .containsExactly("virtio-serial-device,max_ports=2",
            "virtserialport,chardev=claw,name=claw.0");
    assertThat(args).noneMatch(a -> a.contains("virtio-net") || a.contains("virtio-blk"));
  }

  @Test
  void guestIsToldWhereTheChannelIs() {
    List<String> args = qemu.arguments(spec(Accelerator.KVM, true));

    assertThat(args.get(args.indexOf("-append") + 1))
        .isEqualTo("console=ttyS0 claw.channel=/dev/vport0p1");
  }

  @Test
  void emulatedGuestIsSparedTheSlowTimerCalibrations() {
    List<String> args = qemu.arguments(spec(Accelerator.TCG, false));

    assertThat(args.get(args.indexOf("-append") + 1)).isEqualTo("console=ttyS0 "
        + "tsc_early_khz=2596136 tsc=reliable no_timer_check noapictimer");
  }

  @Test
  void rootDiskIsAttachedReadOnlyAndNamedToInit() {
    VmSpec.RootDisk disk = new VmSpec.RootDisk(Path.of("/run/claw/vms/t/root.erofs"), "erofs");
    VmSpec base = spec(Accelerator.KVM, true);
    VmSpec spec = new VmSpec(base.name(), base.kernel(), base.initramfs(), base.kernelArgs(),
        base.memoryMib(), base.cpus(), base.accelerator(), base.channelSocket(),
        base.consoleLog(), base.stateDir(), Optional.of(disk));

    List<String> args = qemu.arguments(spec);

    assertThat(String.join(" ", args)).contains("-drive id=root,"
        + "file=/run/claw/vms/t/root.erofs,if=none,format=raw,readonly=on "
        + "-device virtio-blk-device,drive=root");
    assertThat(args.get(args.indexOf("-append") + 1)).isEqualTo("console=ttyS0 "
        + "claw.channel=/dev/vport0p1 claw.root=/dev/vda claw.rootfstype=erofs");
  }

  @Test
  void commaInTheDiskPathCannotAddQemuOptions() {
    VmSpec base = spec(Accelerator.KVM, false);
    VmSpec spec = new VmSpec(base.name(), base.kernel(), base.initramfs(), base.kernelArgs(),
        base.memoryMib(), base.cpus(), base.accelerator(), base.channelSocket(),
        base.consoleLog(), base.stateDir(),
        Optional.of(new VmSpec.RootDisk(Path.of("/d/x,readonly=off"), "ext4")));

    assertThat(qemu.arguments(spec)).contains(
        "id=root,file=/d/x,,readonly=off,if=none,format=raw,readonly=on");
  }

  @Test
  void filesystemTypeCannotAddKernelParameters() {
    assertThatThrownBy(() -> new VmSpec.RootDisk(Path.of("/d/x"), "ext4 init=/bin/sh"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostTscFrequencyComesFromCpuinfo(@TempDir Path dir) throws Exception {
    Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"),
        "processor\t: 0\ncpu MHz\t\t: 2596.136\ncache size\t: 512 KB\n");

    assertThat(QemuMicrovm.hostTscKhz(cpuinfo)).hasValue(2_596_136L);
    assertThat(QemuMicrovm.hostTscKhz(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void missingQemuSaysWhichPackageToInstall() {
    QemuMicrovm none = new QemuMicrovm(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional::empty);

    assertThatThrownBy(none::checkInstalled)
        .hasMessageContaining("qemu-system-x86_64 is not installed")
        .satisfies(e -> assertThat(((ClawException) e).fix())
            .contains("apt-get install qemu-system-x86"));
  }

  @Test
  void acceleratorDecidesCpuModel() {
    assertThat(String.join(" ", qemu.arguments(spec(Accelerator.KVM, false))))
        .contains("-accel kvm -cpu host");
    assertThat(String.join(" ", qemu.arguments(spec(Accelerator.TCG, false))))
        .contains("-accel tcg");
  }

  private static VmSpec spec(Accelerator accelerator, boolean channel) {
    Path dir = Path.of("/run/claw/vms/t");
    return new VmSpec("t", Path.of("/k/vmlinux"), dir.resolve("initramfs.cpio"),
        List.of("console=ttyS0"), 128, 1, accelerator,
        channel ? Optional.of(dir.resolve("channel.sock")) : Optional.empty(),
        dir.resolve("console.log"), dir);
  }
}
