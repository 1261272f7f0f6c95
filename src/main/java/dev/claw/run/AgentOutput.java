package dev.claw.run;

/**
 * Where the agent's output goes. Called from the channel reader as each chunk arrives, so an
 * implementation should pass bytes on at once rather than buffer them.
 */
public interface AgentOutput {

  void stdout(byte[] bytes);

  void stderr(byte[] bytes);
}
