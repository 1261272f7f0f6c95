package dev.claw.event;

/** Receives {@link ClawEvent}s. Called from whichever thread did the work. */
@FunctionalInterface
public interface EventListener {

  EventListener IGNORE = event -> {};

  void on(ClawEvent event);

  default void progress(String step, String message) {
    on(new ClawEvent.Progress(step, message));
  }

  default void warn(String message) {
    on(new ClawEvent.Warning(message));
  }

  default void detail(String message) {
    on(new ClawEvent.Detail(message));
  }
}
