package dev.claw.debian;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One term of a Depends, Pre-Depends or Provides field, such as {@code libc6 (>= 2.34)} or
 * {@code python3:any}.
 *
 * @param name the package (or virtual package) name
 * @param architecture the qualifier after {@code :}, such as "any" or "native"; null if none
 * @param operator one of {@code << <= = >= >>}; null when any version will do
 * @param version the version the operator compares with; null when there is no operator
 */
record Dependency(String name, String architecture, String operator, DebianVersion version) {

  private static final Pattern TERM = Pattern.compile(
      "([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?"
      + "\\s*(?:\\(\\s*(<<|<=|=|>=|>>|<|>)\\s*([^\\s)]+)\\s*\\))?"
      // Architecture lists and build profiles belong in source packages; tolerate, ignore.
      + "\\s*(?:\\[[^\\]]*\\])?\\s*(?:<[^>]*>\\s*)*");

  /**
   * Parses a relationship field into groups that must all hold, each a list of alternatives
   * of which one must hold: {@code a | b, c} is {@code [[a, b], [c]]}.
   *
   * @throws IllegalArgumentException naming the term that is not a relation
   */
  static List<List<Dependency>> parseRelations(String field) {
    List<List<Dependency>> groups = new ArrayList<>();
    if (field == null || field.isBlank()) {
      return groups;
    }
    for (String group : field.split(",")) {
      List<Dependency> alternatives = new ArrayList<>();
      for (String term : group.split("\\|")) {
        alternatives.add(parse(term.strip()));
      }
      groups.add(List.copyOf(alternatives));
    }
    return groups;
  }

  /** Parses one term; {@code <} and {@code >} are dpkg's obsolete spellings of <= and >=. */
  static Dependency parse(String term) {
    Matcher matcher = TERM.matcher(term);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("'" + term + "' is not a package relation");
    }
    String operator = matcher.group(3);
    if ("<".equals(operator)) {
      operator = "<=";
    } else if (">".equals(operator)) {
      operator = ">=";
    }
    DebianVersion version = operator == null ? null : DebianVersion.parse(matcher.group(4));
    return new Dependency(matcher.group(1), matcher.group(2), operator, version);
  }

  /** Whether {@code candidate} meets the version constraint; always true without one. */
  boolean allows(DebianVersion candidate) {
    if (operator == null) {
      return true;
    }
    int order = candidate.compareTo(version);
    switch (operator) {
      case "<<":
        return order < 0;
      case "<=":
        return order <= 0;
      case "=":
        return order == 0;
      case ">=":
        return order >= 0;
      case ">>":
        return order > 0;
      default:
        throw new IllegalStateException("unknown operator " + operator);
    }
  }

  boolean isVersioned() {
    return operator != null;
  }

  @Override
  public String toString() {
    String qualified = architecture == null ? name : name + ":" + architecture;
    return operator == null ? qualified : qualified + " (" + operator + " " + version + ")";
  }
}
