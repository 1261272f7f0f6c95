package dev.claw.scan;

import java.util.List;

/**
 * What a scan learns about one ELF file: its kind, its hardening, and whether it can reach the
 * network or speak TLS.
 *
 * @param path where it is in the root
 * @param layer the claw layer that brought it
 * @param kind executable or shared library
 * @param pie position-independent (an executable's address is randomised); libraries always
 * @param relro read-only relocations: none, partial (PT_GNU_RELRO) or full (also bound now)
 * @param nxStack the stack is not executable (PT_GNU_STACK without PF_X)
 * @param stackProtector it calls {@code __stack_chk_fail}, so some function has a canary
 * @param fortify it calls a {@code __*_chk} function of _FORTIFY_SOURCE
 * @param stripped it has no {@code .symtab}
 * @param exportedSymbols defined global and weak symbols in {@code .dynsym}
 * @param network it defines or calls {@code connect}, {@code socket} or {@code getaddrinfo}
 * @param tls it defines or calls a TLS handshake (OpenSSL, GnuTLS, mbed TLS)
 * @param needed its DT_NEEDED libraries
 */
public record ElfReport(String path, String layer, Kind kind, boolean pie, Relro relro,
    boolean nxStack, boolean stackProtector, boolean fortify, boolean stripped,
    int exportedSymbols, boolean network, boolean tls, List<String> needed) {

  /** What an ELF file is for. */
  public enum Kind { EXECUTABLE, LIBRARY }

  /** How much of the relocation data is made read-only after start-up. */
  public enum Relro { NONE, PARTIAL, FULL }
}
