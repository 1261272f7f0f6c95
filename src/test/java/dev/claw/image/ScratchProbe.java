package dev.claw.image;
import org.junit.jupiter.api.Test;
import java.nio.file.*;
import dev.claw.fs.FileTree;
class ScratchProbe {
  @Test void probe() throws Exception {
    FileTree t = new FileTree().file("/app/test-agent", 0755, new byte[40000]).directory("/dev", 0755).directory("/proc", 0555).directory("/tmp", 01777).file("/etc/passwd", 0644, new byte[100]).file("/etc/group", 0644, new byte[30]);
    Path dir = Files.createDirectories(Path.of("/run/claw-probe"));
    for (int i = 0; i < 6; i++) {
      long t0 = System.nanoTime();
      try (StagedTree s = StagedTree.stage(t, dir.resolve("x"))) { }
      long t1 = System.nanoTime();
      Ext4Image.write(t, dir.resolve("a.ext4"));
      long t2 = System.nanoTime();
      ErofsImage.write(t, dir.resolve("a.erofs"));
      long t3 = System.nanoTime();
      dev.claw.host.Exec.run(null, java.util.List.of("/usr/bin/true"));
      long t4 = System.nanoTime();
      System.out.printf("stage %d ext4 %d erofs %d exec %d%n", (t1-t0)/1000000, (t2-t1)/1000000, (t3-t2)/1000000, (t4-t3)/1000000);
    }
  }
}
