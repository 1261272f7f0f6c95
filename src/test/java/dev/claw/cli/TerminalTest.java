package dev.claw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTest {

  @Test
  void guestTextCannotDriveTheTerminal() {
    String hostile = "ok\u001b[8mhidden\u001b]52;c;Zm9v\u0007\r\n\tnext\u009b";

    assertThat(Terminal.printable(hostile)).isEqualTo("ok^[[8mhidden^[]52;c;Zm9v^G\n\tnext^[");
  }
}
