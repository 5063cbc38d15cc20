package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.backends.plan.ObjectId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code plan --format text|json|markdown} and {@code diff --format text|json}: exact output. */
class PlanFormatsTest {
  private static final Plan PLAN = new Plan("webshop", "demo", List.of(
      new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", "demo"), "sandbox"),
      new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.LINK, "demo", "br-front"), ""),
      new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.SYSCTL, "demo", "net.ipv4.ip_forward"), "0 -> 1"),
      new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.TABLE, "demo", "inet netc_webshop"),
          "0 rules, applied with 12; replaced atomically"),
      new Change(Change.Action.REPLACE, new ObjectId(ObjectId.Kind.LINK, "demo", "br-back"), "forces replacement: kind"),
      new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-db", "eth0/10.20.1.9/24"), "")));
  private static final Plan EMPTY = new Plan("webshop", "demo", List.of());

  @Test
  void text() {
    assertEquals("""
        + namespace:(host):demo  (sandbox)
        + link:demo:br-front
        ~ sysctl:demo:net.ipv4.ip_forward  (0 -> 1)
        ~ table:demo:inet netc_webshop  (0 rules, applied with 12; replaced atomically)
        -/+ link:demo:br-back  (forces replacement: kind)
        - address:demo-db:eth0/10.20.1.9/24

        Plan: 2 to create, 2 to update, 1 to replace, 1 to delete.
        """, PLAN.text());
    assertEquals("No changes: sandbox demo matches topology webshop.\n", EMPTY.text());
  }

  @Test
  void jsonHasTheShapeOfArchitectureMd() {
    assertEquals("""
        {
          "changes": [
            {
              "action": "create",
              "kind": "namespace",
              "id": "demo",
              "namespace": "",
              "detail": {
                "note": "sandbox"
              }
            },
            {
              "action": "create",
              "kind": "link",
              "id": "br-front",
              "namespace": "demo",
              "detail": {}
            },
            {
              "action": "update",
              "kind": "sysctl",
              "id": "net.ipv4.ip_forward",
              "namespace": "demo",
              "detail": {
                "note": "0 -> 1"
              }
            },
            {
              "action": "update",
              "kind": "table",
              "id": "inet netc_webshop",
              "namespace": "demo",
              "detail": {
                "note": "0 rules, applied with 12; replaced atomically"
              }
            },
            {
              "action": "replace",
              "kind": "link",
              "id": "br-back",
              "namespace": "demo",
              "detail": {
                "note": "forces replacement: kind"
              }
            },
            {
              "action": "delete",
              "kind": "address",
              "id": "eth0/10.20.1.9/24",
              "namespace": "demo-db",
              "detail": {}
            }
          ],
          "summary": {
            "create": 2,
            "update": 2,
            "replace": 1,
            "delete": 1
          }
        }
        """, PLAN.json());
    assertEquals("""
        {
          "changes": [],
          "summary": {
            "create": 0,
            "update": 0,
            "replace": 0,
            "delete": 0
          }
        }
        """, EMPTY.json());
  }

  @Test
  void markdownCountsFirstThenOneCollapsibleSectionPerAction() {
    assertEquals("""
        ### netc plan: 2 to create, 2 to update, 1 to replace, 1 to delete

        | create | update | replace | delete | sandbox | topology |
        |---:|---:|---:|---:|---|---|
        | 2 | 2 | 1 | 1 | demo | webshop |

        <details><summary>+ create: 2</summary>

        - `namespace:(host):demo` (sandbox)
        - `link:demo:br-front`

        </details>

        <details><summary>~ update: 2</summary>

        - `sysctl:demo:net.ipv4.ip_forward` (0 -&gt; 1)
        - `table:demo:inet netc_webshop` (0 rules, applied with 12; replaced atomically)

        </details>

        <details><summary>-/+ replace: 1</summary>

        - `link:demo:br-back` (forces replacement: kind)

        </details>

        <details><summary>- delete: 1</summary>

        - `address:demo-db:eth0/10.20.1.9/24`

        </details>
        """, PLAN.markdown());
    assertEquals(PLAN.markdown(), new Plan("webshop", "demo", PLAN.changes()).markdown());
    assertEquals("""
        ### netc plan: No changes: sandbox demo matches topology webshop.

        | create | update | replace | delete | sandbox | topology |
        |---:|---:|---:|---:|---|---|
        | 0 | 0 | 0 | 0 | demo | webshop |
        """, EMPTY.markdown());
  }

  @Test
  void driftIsThePlanReadTheOtherWayRound() {
    Drift d = new Drift(PLAN);
    assertEquals("""
        missing     namespace:(host):demo  (sandbox)
        missing     link:demo:br-front
        changed     sysctl:demo:net.ipv4.ip_forward  (0 -> 1)
        changed     table:demo:inet netc_webshop  (0 rules, applied with 12; replaced atomically)
        changed     link:demo:br-back  (forces replacement: kind)
        unexpected  address:demo-db:eth0/10.20.1.9/24

        Drift: 2 missing, 3 changed, 1 unexpected (sandbox demo, topology webshop); `netc apply` repairs it.
        """, d.text());
    assertEquals("In sync: sandbox demo matches topology webshop.\n", new Drift(EMPTY).text());
    String json = d.json();
    assertEquals(true, json.startsWith("{\n  \"drift\": [\n    {\n      \"state\": \"missing\",\n      \"kind\": \"namespace\""), json);
    assertEquals(true, json.endsWith("  \"summary\": {\n    \"missing\": 2,\n    \"changed\": 3,\n    \"unexpected\": 1\n  }\n}\n"), json);
  }

  @Test
  void whatGoesWithAReplacedLinkIsNoDrift() {
    ObjectId eth0 = new ObjectId(ObjectId.Kind.LINK, "demo-erp", "eth0");
    Plan plan = new Plan("macvlan", "demo", List.of(
        new Change(Change.Action.REPLACE, eth0, "forces replacement: macvlan mode"),
        new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-erp", "eth0/192.0.2.50/24"),
            "again, with replaced link:demo-erp:eth0"),
        new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.SYSCTL, "demo-erp", "net.ipv6.conf.eth0.disable_ipv6"),
            "1 again, with replaced link:demo-erp:eth0")));
    Drift d = new Drift(plan);
    assertEquals("""
        changed     link:demo-erp:eth0  (forces replacement: macvlan mode)

        Drift: 0 missing, 1 changed, 0 unexpected (sandbox demo, topology macvlan); `netc apply` repairs it.
        """, d.text());
    assertEquals(List.of(plan.changes().get(0)), d.changes());
    String json = d.json();
    assertEquals(1, json.split("\"state\"").length - 1, json);
    assertEquals(true, json.endsWith("  \"summary\": {\n    \"missing\": 0,\n    \"changed\": 1,\n    \"unexpected\": 0\n  }\n}\n"), json);
    assertEquals(3, plan.changes().size(), "the plan keeps them");
  }

  @Test
  void anAddressReplacedIsOneChangedAddressAndWhatFollowsItIsNoDrift() {
    ObjectId web = new ObjectId(ObjectId.Kind.LINK, "demo-web", "eth0");
    Plan plan = new Plan("dual-stack", "demo", List.of(
        new Change(Change.Action.UPDATE, web, "state down -> up"),
        new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-web", "eth0/fd00:60::10/64"),
            "again, after eth0 is set up"),
        new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-web", "eth0/10.60.0.10/24"), ""),
        new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.ROUTE, "demo-web", "0.0.0.0/0"),
            "again, after the address of eth0 is replaced"),
        new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.ROUTE, "demo-web", "::/0"),
            "again, after the address of eth0 is replaced"),
        new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-db", "eth0/10.61.0.3/24"), ""),
        new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-db", "eth0/fd00:61::20/64"), ""),
        new Change(Change.Action.UPDATE, new ObjectId(ObjectId.Kind.SYSCTL, "demo-db", "net.ipv6.conf.eth0.accept_ra"),
            "1 -> 0, IPv6 back with the MTU"),
        new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-web", "eth0/10.60.0.99/24"), ""),
        new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-db", "eth0/10.61.0.9/24"), ""),
        new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.ADDRESS, "demo-db", "eth0/10.61.0.10/24"), "")));
    Drift d = new Drift(plan);
    // web's IPv4 address replaced: one line; db's, with two hand-made IPv4 addresses, is not
    // one address in place of another, and its IPv6 address is missing alone
    assertEquals("""
        changed     link:demo-web:eth0  (state down -> up)
        changed     address:demo-web:eth0/10.60.0.10/24  (10.60.0.99/24 -> 10.60.0.10/24)
        missing     address:demo-db:eth0/10.61.0.3/24
        missing     address:demo-db:eth0/fd00:61::20/64
        unexpected  address:demo-db:eth0/10.61.0.9/24
        unexpected  address:demo-db:eth0/10.61.0.10/24

        Drift: 2 missing, 2 changed, 2 unexpected (sandbox demo, topology dual-stack); `netc apply` repairs it.
        """, d.text());
    String json = d.json();
    assertEquals(true, json.contains("\"state\": \"changed\",\n      \"kind\": \"address\",\n      \"id\": \"eth0/10.60.0.10/24\",\n"
        + "      \"namespace\": \"demo-web\",\n      \"detail\": {\n        \"note\": \"10.60.0.99/24 -> 10.60.0.10/24\"\n      }"), json);
    assertEquals(true, json.endsWith("  \"summary\": {\n    \"missing\": 2,\n    \"changed\": 2,\n    \"unexpected\": 2\n  }\n}\n"), json);
    assertEquals(11, plan.changes().size(), "the plan keeps them all");
  }
}
