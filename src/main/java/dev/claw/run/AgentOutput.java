package dev.claw.run;

/**
 * Where the agent's output goes. Called from the channel reader as each chunk arrives, so an
 * implementation should pass bytes on at once rather than buffer them.
 */
public interface AgentOutput {

  /** Output nobody reads. */
  AgentOutput DISCARD = new AgentOutput() {
    @Override
    public void stdout(byte[] bytes) {
      // Dropped on purpose.
    }

    @Override
    public void stderr(byte[] bytes) {
      // Dropped on purpose.
    }
  };

  void stdout(byte[] bytes);

  void stderr(byte[] bytes);
}
