package dev.claw.scan;

import java.util.List;

/**
 * The attack surface one layer adds to an image (or a whole image, as layer "total"). Lists
 * are paths, sorted.
 *
 * @param entries paths of every kind
 * @param files regular files
 * @param bytes their contents
 * @param executables ELF executables
 * @param libraries ELF shared libraries (including Python's extension modules)
 * @param setuid files with the setuid or setgid bit
 * @param worldWritable files anyone may write, and folders anyone may write without the
 *     sticky bit
 * @param interpreters shells and language interpreters on the usual program folders
 * @param network ELF files that can open network connections
 * @param tls ELF files that can speak TLS
 * @param exportedSymbols dynamic symbols the ELF files export, summed
 * @param weak ELF files lacking a hardening feature, per feature
 */
public record LayerSurface(String layer, long entries, long files, long bytes,
    List<String> executables, List<String> libraries, List<String> setuid,
    List<String> worldWritable, List<String> interpreters, List<String> network,
    List<String> tls, long exportedSymbols, Weaknesses weak) {

  /**
   * How many ELF files lack each hardening feature. PIE counts executables only: a library is
   * position-independent by nature.
   */
  public record Weaknesses(long notPie, long noRelro, long partialRelro, long executableStack,
      long noStackProtector, long noFortify, long notStripped) {}
}
