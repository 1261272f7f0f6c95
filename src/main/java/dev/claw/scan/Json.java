package dev.claw.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The JSON claw writes: fields in the order they were added, two-space indents and "\n" line
 * ends on every host (Jackson's default indenter uses the host's line separator), so that the
 * same document is the same bytes everywhere.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static ArrayNode strings(Collection<String> values) {
    ArrayNode array = array();
    values.forEach(array::add);
    return array;
  }

  static byte[] bytes(JsonNode document) {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(indenter).withArrayIndenter(indenter);
    try {
      String text = MAPPER.writer(printer).writeValueAsString(document) + "\n";
      return text.getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of JSON nodes could not be written", e);
    }
  }
}
