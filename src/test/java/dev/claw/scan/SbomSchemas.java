package dev.claw.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.util.Set;

/** The published SBOM schemas, for tests. */
public final class SbomSchemas {
  private SbomSchemas() {}

  /** Validates against the SPDX project's own 2.3 schema, shipped in its tools-java jar. */
  public static Set<ValidationMessage> validateSpdx(byte[] document) throws Exception {
    try (InputStream schema = SbomSchemas.class.getResourceAsStream(
        "/resources/spdx-schema-v2.3.json")) {
      assertThat(schema).as("tools-java's SPDX 2.3 schema").isNotNull();
      JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
          .getSchema(schema);
      return validator.validate(Json.MAPPER.readTree(document));
    }
  }
}
