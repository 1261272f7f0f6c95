package dev.claw.event;

/**
 * Something the library wants a person to know. The library never prints; front ends decide
 * how (and whether) to show each kind.
 */
public sealed interface ClawEvent {

  /** A long step is under way, such as a kernel build. */
  record Progress(String step, String message) implements ClawEvent {}

  /** Something works, but not as well as it could; always shown. */
  record Warning(String message) implements ClawEvent {}

  /** Background a user asks for with {@code --verbose}. */
  record Detail(String message) implements ClawEvent {}
}
