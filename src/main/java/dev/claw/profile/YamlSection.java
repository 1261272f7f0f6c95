package dev.claw.profile;

import dev.claw.ClawException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * One YAML mapping of a profile, read strictly: every key must be known, every value of the
 * expected shape, and every complaint names the key's dotted path and its line.
 */
final class YamlSection {
  private final Path file;
  private final String path;
  private final Node node;
  private final Map<String, Node> values = new LinkedHashMap<>();

  private YamlSection(Path file, String path, Node node) {
    this.file = file;
    this.path = path;
    this.node = node;
  }

  /** The mapping {@code node}, allowed to hold only {@code keys}. */
  static YamlSection of(Path file, String path, Node node, Set<String> keys) {
    YamlSection section = new YamlSection(file, path, node);
    if (!(node instanceof MappingNode mapping)) {
      throw section.error(section.where("") + " must be a mapping of keys to values",
          "write it as key: value lines");
    }
    for (NodeTuple tuple : mapping.getValue()) {
      String key = section.scalar(tuple.getKeyNode(), "a key");
      if (!keys.contains(key)) {
        throw section.errorAt(tuple.getKeyNode(), "unknown key '" + key + "'"
            + (path.isEmpty() ? "" : " in " + path), "use one of: "
            + String.join(", ", new TreeSet<>(keys)));
      }
      if (section.values.put(key, tuple.getValueNode()) != null) {
        throw section.errorAt(tuple.getKeyNode(), "'" + key + "' is given twice",
            "keep one of them");
      }
    }
    return section;
  }

  /** Whether {@code key} is given at all, whatever its value. */
  boolean has(String key) {
    return values.containsKey(key);
  }

  Optional<String> string(String key) {
    return Optional.ofNullable(values.get(key)).map(value -> scalar(value, where(key)));
  }

  String requiredString(String key, String example) {
    return string(key).orElseThrow(() -> missing(key, example));
  }

  Optional<YamlSection> section(String key, Set<String> keys) {
    return Optional.ofNullable(values.get(key))
        .map(value -> of(file, where(key), value, keys));
  }

  Optional<List<String>> strings(String key) {
    return Optional.ofNullable(values.get(key)).map(value -> {
      List<String> list = new ArrayList<>();
      for (Node item : sequence(key, value)) {
        list.add(scalar(item, where(key) + " item"));
      }
      return list;
    });
  }

  /** The items of the list at {@code key}, of any shape; empty when the key is absent. */
  List<Node> nodes(String key) {
    Node value = values.get(key);
    return value == null ? List.of() : sequence(key, value);
  }

  Path file() {
    return file;
  }

  List<YamlSection> sections(String key, Set<String> keys) {
    List<YamlSection> list = new ArrayList<>();
    Node value = values.get(key);
    if (value != null) {
      List<Node> items = sequence(key, value);
      for (int i = 0; i < items.size(); i++) {
        list.add(of(file, where(key) + "[" + i + "]", items.get(i), keys));
      }
    }
    return list;
  }

  /** A mapping of plain strings, such as run.env. */
  Map<String, String> stringMap(String key) {
    Map<String, String> map = new LinkedHashMap<>();
    Node value = values.get(key);
    if (value instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        map.put(scalar(tuple.getKeyNode(), where(key) + " key"),
            scalar(tuple.getValueNode(), where(key) + " value"));
      }
    } else if (value != null) {
      throw errorAt(value, where(key) + " must be a mapping", "write it as NAME: value lines");
    }
    return map;
  }

  String where(String key) {
    return path.isEmpty() ? key : key.isEmpty() ? path : path + "." + key;
  }

  ClawException missing(String key, String example) {
    return errorAt(node, "'" + where(key) + "' is missing", "add it, for example: " + example);
  }

  /** An error about the value of {@code key}. */
  ClawException error(String key, String problem, String fix) {
    Node at = values.getOrDefault(key, node);
    return errorAt(at, problem, fix);
  }

  private ClawException error(String problem, String fix) {
    return errorAt(node, problem, fix);
  }

  private ClawException errorAt(Node at, String problem, String fix) {
    int line = at.getStartMark() == null ? 0 : at.getStartMark().getLine() + 1;
    return new ClawException(file + ":" + line + ": " + problem, fix);
  }

  private List<Node> sequence(String key, Node value) {
    if (!(value instanceof SequenceNode sequence)) {
      throw errorAt(value, where(key) + " must be a list", "write it like [a, b]");
    }
    return sequence.getValue();
  }

  private String scalar(Node value, String what) {
    if (!(value instanceof ScalarNode scalar)) {
      throw errorAt(value, what + " must be a single value, not a list or mapping",
          "write a plain value there");
    }
    if (scalar.getValue().indexOf('\0') >= 0) {
      // No path, argument or variable can hold one; in the run spec it would split a record.
      throw errorAt(value, what + " contains a NUL character", "remove it");
    }
    return scalar.getValue();
  }
}
