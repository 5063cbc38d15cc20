package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code netc lint --format sarif} writes SARIF 2.1.0 that the official schema accepts, with the
 * rule, level, region, related locations and suppressions of every diagnostic, and the files it
 * cannot read as notifications of an unsuccessful invocation.
 *
 * <p>The schema in {@code src/test/resources/sarif-schema-2.1.0.json} is the OASIS SARIF 2.1.0
 * Committee Specification schema (JSON Schema draft-07), copied byte for byte from
 * {@code Documents/CommitteeSpecifications/2.1.0/sarif-schema-2.1.0.json} in the OASIS TC's
 * repository {@code oasis-tcs/sarif-spec} (commit 3682e9ee648f2f3e11ba1fcd47fc390a0b8f9dab).
 * Its {@code $id} is mapped to that classpath resource, so validation never touches the network.
 */
class SarifTest {
  private static final String SCHEMA_ID =
      "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  /** Errors (one with a related span), an unsuppressed and a suppressed warning. */
  private static final String SHOP = Topologies.ERRORS;


  /** A block that is never closed: a syntax error with an empty span at the end of the file. */
  private static final String UNCLOSED = """
      topology x

      network n {
        subnet 10.0.0.0/24
      }
      container c {
        attach n
      """;

  @BeforeAll
  static void loadSchema() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
        b -> b.schemaMappers(m -> m.mapPrefix(SCHEMA_ID, "classpath:sarif-schema-2.1.0.json")));
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .formatAssertionsEnabled(true)
        .build();
    schema = factory.getSchema(SchemaLocation.of(SCHEMA_ID), config);
    schema.initializeValidators();
  }

  private static List<String> violations(JsonNode sarif) {
    Set<ValidationMessage> messages = schema.validate(sarif);
    List<String> out = new ArrayList<>();
    messages.forEach(m -> out.add(m.getMessage()));
    return out;
  }

  private static JsonNode lintSarif(CliRunner cli, int expectedStatus, String... files)
      throws Exception {
    String[] args = new String[files.length + 3];
    args[0] = "lint";
    args[1] = "--format";
    args[2] = "sarif";
    System.arraycopy(files, 0, args, 3, files.length);
    CliRunner.Result r = cli.run(args);
    assertEquals(expectedStatus, r.status(), r.err());
    assertEquals("", r.err());
    JsonNode sarif = JSON.readTree(r.out());
    assertEquals(List.of(), violations(sarif), r.out());
    return sarif;
  }

  @Test
  void theSchemaRejectsAnInvalidLog() throws Exception {
    // A control: the schema is loaded and enforced, so "no violations" below means something.
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    ObjectNode sarif = (ObjectNode) lintSarif(cli, 1, "shop.netc");
    ObjectNode result = (ObjectNode) sarif.at("/runs/0/results/0");
    result.put("level", "fatal");
    ((ObjectNode) result.at("/locations/0/physicalLocation/region")).put("startLine", 0);
    ((ObjectNode) result.at("/locations/0/physicalLocation/artifactLocation"))
        .put("uri", "my dir/a b.netc");
    assertEquals(3, violations(sarif).size(), violations(sarif).toString());
  }

  @Test
  void errorsWarningsRelatedSpansAndSuppressionsAreValidSarif() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    cli.write("my dir/a b.netc", UNCLOSED);
    JsonNode sarif = lintSarif(cli, 1, "shop.netc", "my dir/a b.netc");

    assertEquals("2.1.0", sarif.get("version").asText());
    assertEquals(1, sarif.get("runs").size());
    JsonNode run = sarif.at("/runs/0");
    assertEquals("netc", run.at("/tool/driver/name").asText());
    assertEquals(Netc.version(), run.at("/tool/driver/semanticVersion").asText());

    List<String> ruleIds = new ArrayList<>();
    run.at("/tool/driver/rules").forEach(r -> ruleIds.add(r.get("id").asText()));
    assertEquals(List.of("NETC001", "NETC101", "NETC102", "NETC113"), ruleIds);
    JsonNode rule113 = run.at("/tool/driver/rules/3");
    assertEquals("NetworkHasNoMembers", rule113.get("name").asText());
    assertEquals("network has no members", rule113.at("/shortDescription/text").asText());
    assertEquals("warning", rule113.at("/defaultConfiguration/level").asText());

    JsonNode results = run.get("results");
    List<String> summary = new ArrayList<>();
    for (JsonNode r : results) {
      // Every result names its rule twice, and the two agree.
      assertEquals(r.get("ruleId").asText(),
          ruleIds.get(r.get("ruleIndex").asInt()), r.toString());
      JsonNode loc = r.at("/locations/0/physicalLocation");
      JsonNode region = loc.get("region");
      summary.add(r.get("ruleId").asText() + " " + r.get("level").asText() + " "
          + loc.at("/artifactLocation/uri").asText() + ":"
          + region.get("startLine").asInt() + ":" + region.get("startColumn").asInt() + "-"
          + region.get("endLine").asInt() + ":" + region.get("endColumn").asInt()
          + (r.has("suppressions") ? " suppressed" : ""));
    }
    assertEquals(List.of(
        "NETC001 error my%20dir/a%20b.netc:8:1-8:1",
        "NETC113 warning shop.netc:3:9-3:14",
        "NETC113 warning shop.netc:8:9-8:14 suppressed",
        "NETC102 error shop.netc:12:9-12:14",
        "NETC101 error shop.netc:17:10-17:14"), summary);

    JsonNode unclosed = results.get(0);
    assertEquals("the block of container `c` is never closed\nhelp: add `}` to close it",
        unclosed.at("/message/text").asText());
    JsonNode opens = unclosed.at("/relatedLocations/0");
    assertEquals("the block of container `c` opens here", opens.at("/message/text").asText());
    assertEquals(6, opens.at("/physicalLocation/region/startLine").asInt());
    assertEquals(13, opens.at("/physicalLocation/region/startColumn").asInt());

    JsonNode duplicate = results.get(3);
    assertEquals("network `front` is declared twice\n"
        + "help: rename one of them, or merge the two declarations",
        duplicate.at("/message/text").asText());
    assertEquals(1, duplicate.get("relatedLocations").size());
    JsonNode first = duplicate.at("/relatedLocations/0");
    assertEquals("first declared here", first.at("/message/text").asText());
    assertEquals("shop.netc", first.at("/physicalLocation/artifactLocation/uri").asText());
    JsonNode firstRegion = first.at("/physicalLocation/region");
    assertEquals(List.of(3, 1, 5, 2), List.of(firstRegion.get("startLine").asInt(),
        firstRegion.get("startColumn").asInt(), firstRegion.get("endLine").asInt(),
        firstRegion.get("endColumn").asInt()));

    JsonNode suppressions = results.get(2).get("suppressions");
    assertEquals(1, suppressions.size());
    assertEquals("inSource", suppressions.at("/0/kind").asText());
    assertEquals("reserved for the batch jobs", suppressions.at("/0/justification").asText());
    assertFalse(results.get(1).has("suppressions"));
    assertFalse(results.get(4).has("relatedLocations"));
  }

  @Test
  void aCleanFileIsAValidLogWithNoResults() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("ok.netc", """
        topology ok

        network n {
          subnet 10.0.0.0/24
        }

        container c {
          attach n
        }
        """);
    JsonNode sarif = lintSarif(cli, 0, "ok.netc");
    JsonNode results = sarif.at("/runs/0/results");
    assertTrue(results.isArray(), sarif.toString());
    assertEquals(0, results.size());
    assertEquals(0, sarif.at("/runs/0/tool/driver/rules").size());
    assertEquals(JSON.readTree("[{\"executionSuccessful\": true}]"), sarif.at("/runs/0/invocations"));
  }

  @Test
  void aFileThatCannotBeReadIsAToolExecutionNotification() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("warn.netc", Topologies.WARNING);
    CliRunner.Result r = cli.run("lint", "--format", "sarif", "my dir/gone.netc", "warn.netc");
    assertEquals(new CliRunner.Result(1, """
        {
          "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
          "version": "2.1.0",
          "runs": [
            {
              "tool": {
                "driver": {
                  "name": "netc",
                  "semanticVersion": "%s",
                  "rules": [
                    {
                      "id": "NETC113",
                      "name": "NetworkHasNoMembers",
                      "shortDescription": {
                        "text": "network has no members"
                      },
                      "fullDescription": {
                        "text": "network has no members (see docs/diagnostics.md#netc113)"
                      },
                      "defaultConfiguration": {
                        "level": "warning"
                      }
                    }
                  ]
                }
              },
              "invocations": [
                {
                  "executionSuccessful": false,
                  "toolExecutionNotifications": [
                    {
                      "level": "error",
                      "message": {
                        "text": "cannot read `my dir/gone.netc`: no such file"
                      },
                      "locations": [
                        {
                          "physicalLocation": {
                            "artifactLocation": {
                              "uri": "my%%20dir/gone.netc"
                            }
                          }
                        }
                      ]
                    }
                  ]
                }
              ],
              "columnKind": "unicodeCodePoints",
              "results": [
                {
                  "ruleId": "NETC113",
                  "ruleIndex": 0,
                  "level": "warning",
                  "message": {
                    "text": "network `empty` has no members\\nhelp: attach a container to it, or remove it"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "warn.netc"
                        },
                        "region": {
                          "startLine": 3,
                          "startColumn": 9,
                          "endLine": 3,
                          "endColumn": 14
                        }
                      }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """.formatted(Netc.version()), "netc: cannot read `my dir/gone.netc`: no such file\n"), r);
    assertEquals(List.of(), violations(JSON.readTree(r.out())), r.out());
  }

  @Test
  void aRunThatReadNothingIsAnUnsuccessfulExecutionWithNoResults() throws Exception {
    CliRunner cli = new CliRunner();
    CliRunner.Result r = cli.run("lint", "--format", "sarif", "gone.netc");
    assertEquals(1, r.status());
    assertEquals("netc: cannot read `gone.netc`: no such file\n", r.err());
    JsonNode sarif = JSON.readTree(r.out());
    assertEquals(List.of(), violations(sarif), r.out());
    assertEquals(JSON.readTree("""
        [{"executionSuccessful": false, "toolExecutionNotifications": [{"level": "error",
          "message": {"text": "cannot read `gone.netc`: no such file"},
          "locations": [{"physicalLocation": {"artifactLocation": {"uri": "gone.netc"}}}]}]}]
        """), sarif.at("/runs/0/invocations"));
    assertEquals(0, sarif.at("/runs/0/results").size());
  }

  @Test
  void absolutePathsAreValidUriReferences() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("/srv/net #1/edge%.netc", """
        topology edge

        network spare {
          subnet 10.0.0.0/24
        }
        """);
    JsonNode sarif = lintSarif(cli, 0, "/srv/net #1/edge%.netc");
    assertEquals("/srv/net%20%231/edge%25.netc",
        sarif.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri").asText());
  }
}
