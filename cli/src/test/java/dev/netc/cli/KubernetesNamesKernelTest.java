package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.KernelNames;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bare Kubernetes Pod and a Service of one name ({@code golden-tests/k8s/pod-named-as-service})
 * in a real sandbox (root): the name is the Service's, as cluster DNS has it. In namespace {@code
 * default}, {@code web} resolves to the Service's address and a connection to {@code web:80} by
 * name reaches the pod {@code default/web} through the Service; {@code web.default} does so from
 * namespace {@code tools}, whose own pod {@code web} keeps its name there and {@code web.tools}
 * from {@code default}. Inside the pod {@code default/web} itself, {@code web} (and its address,
 * backwards) resolves to the pod's own address, as kubelet writes the pod's hostname into its
 * {@code /etc/hosts}, and {@code web.default} to the Service. The sandbox is removed in {@code
 * finally}, also when the test fails.
 */
@Timeout(120)
class KubernetesNamesKernelTest {
  @Test
  void aServiceTakesTheNameOfThePodOfItsName() throws Exception {
    DiffKernelTest.assumeKernel();
    CliRunner cli = new CliRunner();
    cli.write("names.yaml", Files.readString(
        DiffKernelTest.ROOT.resolve("golden-tests/k8s/pod-named-as-service/input.yaml")));
    var compiled = new Compiler().compile(cli.fs.getPath("names.yaml"));
    Topology t = compiled.topology().orElseThrow(() -> new AssertionError(compiled.diagnostics()));
    String service = t.services().stream().filter(v -> v.name().equals("default/web")).findFirst()
        .orElseThrow().addresses().get(0).toString();
    String pod = address(t, "default/web");
    String toolsPod = address(t, "tools/web");
    String s = String.format("kn%06x", new SecureRandom().nextInt(1 << 24));
    try {
      CliRunner.Result r = cli.run("apply", "names.yaml", "--sandbox", s);
      assertEquals(0, r.status(), r.out() + r.err());
      String client = ns(t, s, "default/client");
      String tools = ns(t, s, "tools/web");
      assertEquals(service + " web web.default web.default.svc web.default.svc.cluster.local",
          resolve(client, "web"), "web resolves to the Service in its namespace");
      assertEquals(service + " web.default web.default.svc web.default.svc.cluster.local",
          resolve(tools, "web.default"), "web.default resolves to the Service from another namespace");
      assertEquals(toolsPod + " web", resolve(tools, "web"), "the pod web of tools keeps its name there");
      assertEquals(toolsPod + " web.tools", resolve(client, "web.tools"));
      assertFalse(DiffKernelTest.output("ip", "netns", "exec", client, "cat", "/etc/hosts").contains(pod),
          "no line names the pod default/web");
      String web = ns(t, s, "default/web");
      assertEquals(pod + " web", resolve(web, "web"), "inside default/web, web is the pod itself (its hostname)");
      assertEquals(pod + " web", resolve(web, pod), "inside default/web, its own address is web");
      assertEquals(service + " web.default web.default.svc web.default.svc.cluster.local",
          resolve(web, "web.default"), "inside default/web, web.default is the Service");
      assertEquals(2, DiffKernelTest.run("ip", "netns", "exec", client, "getent", "hosts", pod),
          "elsewhere the address of default/web has no name");
      Process listener = new ProcessBuilder("timeout", "60", "ip", "netns", "exec", ns(t, s, "default/web"),
          "nc", "-k", "-l", "8080").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        waitForListener(ns(t, s, "default/web"), 8080);
        assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", client, "nc", "-z", "-w", "1", "web", "80"),
            "default/client reaches web:80 by name, through the Service to default/web:8080");
        assertTrue(DiffKernelTest.run("ip", "netns", "exec", tools, "nc", "-z", "-w", "1", "web.default", "80") != 0,
            "tools/web reaches the Service, whose pod admits default/client only");
      } finally {
        listener.destroy();
        listener.waitFor(5, TimeUnit.SECONDS);
      }
      r = cli.run("destroy", "names.yaml", "--sandbox", s);
      assertEquals(0, r.status(), r.out() + r.err());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /** What {@code getent hosts NAME} prints in namespace {@code ns}: the address and names, one space apart. */
  private static String resolve(String ns, String name) throws IOException, InterruptedException {
    return DiffKernelTest.output("ip", "netns", "exec", ns, "getent", "hosts", name).trim().replaceAll("\\s+", " ");
  }

  private static String ns(Topology t, String s, String endpoint) {
    return KernelNames.endpointNamespace(t.name(), endpoint, s);
  }

  private static String address(Topology t, String endpoint) {
    Endpoint e = t.endpoints().stream().filter(x -> x.name().equals(endpoint)).findFirst().orElseThrow();
    return e.attachments().get(0).addresses().get(0).toString();
  }

  private static void waitForListener(String ns, int port) throws IOException, InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (DiffKernelTest.output("ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :" + port).contains(":" + port)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no listener on " + ns + ":" + port);
  }
}
