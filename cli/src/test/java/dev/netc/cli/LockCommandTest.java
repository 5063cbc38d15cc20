package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code netc lock} pins the host ports netc chose for the {@code publish} lines that give none,
 * as it pins addresses: a container added before another in the file does not move the other's
 * port, and {@code --locked} tells when a port is not pinned yet.
 */
class LockCommandTest {
  private static final String SHOP = """
      network lan { subnet 10.62.0.0/24 }

      container web {
        attach lan
        publish 80/tcp
        publish 127.0.0.1: -> 8080/tcp
      }
      """;

  private static final String UI = """
      container ui {
        attach lan
        publish 3000/tcp
      }

      """;

  private static final String LOCK = """
      # netc lock file of topology shop: the subnets, addresses and host ports netc chose.
      # Commit it: netc keeps these choices stable as the topology changes.
      # Written by `netc lock`; `--locked` fails when it is out of date.
      version: 1
      subnets: {}
      addresses:
        "lan":
          "web": ["10.62.0.2"]
      ports:
        "local":
          "web":
            "127.0.0.1:8080/tcp": [49153]
            "80/tcp": [49152]
      """;

  private static final String TWO_HOSTS = """
      host h1 { underlay 192.168.59.11 }
      host h2 { underlay 192.168.59.12 }

      network lan { subnet 10.62.0.0/24 }

      container x {
        on h1
        attach lan
        publish 80/tcp
      }

      container web {
        on h2
        attach lan
        publish 80/tcp
      }
      """;

  @Test
  void theLockFileRecordsTheChosenHostPorts() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    CliRunner.Result r = cli.run("lock", "shop.netc");
    assertEquals(0, r.status(), r.err());
    assertEquals(LOCK, cli.read("shop.lock"));
    assertEquals(0, cli.run("lint", "--locked", "shop.netc").status());
  }

  @Test
  void aContainerAddedFirstDoesNotMoveAPinnedPort() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    assertEquals(0, cli.run("lock", "shop.netc").status());
    cli.write("shop.netc", SHOP.replace("container web", UI + "container web"));

    CliRunner.Result lint = cli.run("lint", "--locked", "shop.netc");
    assertEquals(1, lint.status(), lint.out());
    assertTrue(lint.out().contains("error[NETC231]: the lock file `shop.lock` is out of date: `ui` gets an"
        + " address on `lan`, `ui` publishes 3000/tcp on host port 49154"), lint.out());

    CliRunner.Result nft = cli.run("emit", "--backend", "nft", "shop.netc");
    assertEquals(0, nft.status(), nft.err());
    assertTrue(nft.out().contains("tcp . 49152 comment \"web shop.netc:"), nft.out());
    assertTrue(nft.out().contains("127.0.0.1 . tcp . 49153 comment \"web shop.netc:"), nft.out());
    assertTrue(nft.out().contains("tcp . 49154 comment \"ui shop.netc:"), nft.out());

    assertEquals(0, cli.run("lock", "shop.netc").status());
    assertTrue(cli.read("shop.lock").contains("""
            "ui":
              "3000/tcp": [49154]
        """), cli.read("shop.lock"));
    assertEquals(0, cli.run("lint", "--locked", "shop.netc").status());
  }

  /** plan and apply take --locked as lint does: no lock file, or one out of date, stops them before any read of the kernel. */
  @Test
  void planAndApplyLockedRefuseAMissingOrStaleLockFile() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    for (String command : List.of("plan", "apply")) {
      CliRunner.Result r = cli.run(command, "--locked", "shop.netc", "--sandbox", "nolock");
      assertEquals(1, r.status(), r.out() + r.err());
      assertTrue((r.out() + r.err()).contains("error[NETC231]: there is no lock file `shop.lock`, and --locked needs one"),
          r.out() + r.err());
    }
    assertEquals(0, cli.run("lock", "shop.netc").status());
    cli.write("shop.netc", SHOP.replace("container web", UI + "container web"));
    for (String command : List.of("plan", "apply")) {
      CliRunner.Result r = cli.run(command, "--locked", "shop.netc", "--sandbox", "nolock");
      assertEquals(1, r.status(), r.out() + r.err());
      assertTrue((r.out() + r.err()).contains("error[NETC231]: the lock file `shop.lock` is out of date"), r.out() + r.err());
    }
  }

  @Test
  void aLockFileWithoutPortsStillReads() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    // as a netc before host ports were pinned wrote it
    cli.write("shop.lock", LOCK.substring(0, LOCK.indexOf("ports:"))
        .replace("the subnets, addresses and host ports", "the subnets and addresses"));
    CliRunner.Result lint = cli.run("lint", "shop.netc");
    assertEquals(0, lint.status(), lint.out());
    assertFalse(lint.out().contains("NETC230"), lint.out());

    CliRunner.Result locked = cli.run("lint", "--locked", "shop.netc");
    assertEquals(1, locked.status(), locked.out());
    assertTrue(locked.out().contains("is out of date: `web` publishes 127.0.0.1:8080/tcp on host port 49153,"
        + " `web` publishes 80/tcp on host port 49152"), locked.out());
    assertEquals(0, cli.run("lock", "shop.netc").status());
    assertEquals(LOCK, cli.read("shop.lock"));
  }

  /** A folder where the lock file would be is told (NETC230), not taken for a missing lock file. */
  @Test
  void aFolderNamedLikeTheLockFileIsNetc230() throws Exception {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    java.nio.file.Files.createDirectories(cli.fs.getPath("shop.lock"));
    CliRunner.Result lint = cli.run("lint", "shop.netc");
    assertEquals(1, lint.status(), lint.out());
    assertTrue(lint.out().startsWith("error[NETC230]: cannot read the lock file: `shop.lock` is a folder\n"), lint.out());
    assertTrue(lint.out().contains("= help: the lock file of a topology is the file `shop.lock` beside it: move what"
        + " stands there away, then run `netc lock`"), lint.out());
    CliRunner.Result lock = cli.run("lock", "shop.netc");
    assertEquals(1, lock.status(), lock.out() + lock.err());

    // a link to a folder of the project in its place: the same (it was once a NETC009 that read
    // the link's folder as the project, and said the lock file led out of it)
    CliRunner linked = new CliRunner();
    linked.write("shop.netc", SHOP);
    java.nio.file.Files.createDirectories(linked.fs.getPath("sub"));
    java.nio.file.Files.createSymbolicLink(linked.fs.getPath("shop.lock"), linked.fs.getPath("sub"));
    CliRunner.Result viaLink = linked.run("lint", "shop.netc");
    assertEquals(1, viaLink.status(), viaLink.out());
    assertTrue(viaLink.out().startsWith("error[NETC230]: cannot read the lock file: `shop.lock` is a folder\n"),
        viaLink.out());

    // a link that leads to no file (or loops): not taken for a missing lock file either
    CliRunner dangling = new CliRunner();
    dangling.write("shop.netc", SHOP);
    java.nio.file.Files.createSymbolicLink(dangling.fs.getPath("shop.lock"), dangling.fs.getPath("gone.lock"));
    CliRunner.Result toNothing = dangling.run("lint", "shop.netc");
    assertEquals(1, toNothing.status(), toNothing.out());
    assertTrue(toNothing.out().startsWith("error[NETC230]: cannot read the lock file: `shop.lock` is a symbolic link"
        + " that leads to no file\n"), toNothing.out());
  }

  /** A lock file nested thousands of levels deep is NETC230, not a stack overflow. */
  @Test
  void aLockFileNestedTooDeeplyIsNetc230() {
    CliRunner.Result lint = lintWithLock("version: 1\nsubnets: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
    assertTrue(lint.out().startsWith("error[NETC230]: the lock file nests too deeply to be read: netc writes three"
        + " levels\n"), lint.out() + lint.err());
  }

  /** {@code lint} of {@link #SHOP} beside the lock file {@code lock}, which must fail. */
  private static CliRunner.Result lintWithLock(String lock) {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    cli.write("shop.lock", lock);
    CliRunner.Result lint = cli.run("lint", "shop.netc");
    assertEquals(1, lint.status(), lint.out() + lint.err());
    return lint;
  }

  /** An entry given twice (a merge can leave both) is NETC230 at the second, not the last read silently. */
  @Test
  void anEntryGivenTwiceIsNetc230() {
    CliRunner.Result lint = lintWithLock(LOCK.replace("\"80/tcp\": [49152]", "\"80/tcp\": [49152]\n      \"80/tcp\": [49160]"));
    assertTrue(lint.out().startsWith("error[NETC230]: `80/tcp` is given twice in the `publish` lines of endpoint `web`\n"),
        lint.out());
  }

  @Test
  void aPortThatIsNotANumberIsNetc230() {
    CliRunner.Result lint = lintWithLock(LOCK.replace("\"80/tcp\": [49152]", "\"80/tcp\": [http]"));
    assertTrue(lint.out().contains("error[NETC230]: expected a port in 1-65535, got `http`"), lint.out());
  }

  @Test
  void aContainerMovedToAnotherHostDoesNotTakeThePortOfOneThatStayed() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", TWO_HOSTS);
    assertEquals(0, cli.run("lock", "shop.netc").status());
    assertTrue(cli.read("shop.lock").contains("""
        ports:
          "h1":
            "x":
              "80/tcp": [49152]
          "h2":
            "web":
              "80/tcp": [49152]
        """), cli.read("shop.lock"));
    // x, declared first, moves to the host of web: the pin of x on h1 does not hold on h2
    cli.write("shop.netc", TWO_HOSTS.replace("on h1", "on h2"));

    CliRunner.Result lint = cli.run("lint", "--locked", "shop.netc");
    assertEquals(1, lint.status(), lint.out());
    assertTrue(lint.out().contains("error[NETC231]: the lock file `shop.lock` is out of date: `x` moves 80/tcp"
        + " from host port 49152 of host `h1` to 49153 of host `h2`\n"), lint.out());
    assertFalse(lint.out().contains("`web` moves"), lint.out());

    CliRunner.Result nft = cli.run("emit", "--backend", "nft", "shop.netc");
    assertEquals(0, nft.status(), nft.err());
    assertTrue(nft.out().contains("tcp . 49152 comment \"web shop.netc:"), nft.out());
    assertTrue(nft.out().contains("tcp . 49153 comment \"x shop.netc:"), nft.out());

    assertEquals(0, cli.run("lock", "shop.netc").status());
    assertTrue(cli.read("shop.lock").contains("""
        ports:
          "h2":
            "web":
              "80/tcp": [49152]
            "x":
              "80/tcp": [49153]
        """), cli.read("shop.lock"));
    assertEquals(0, cli.run("lint", "--locked", "shop.netc").status());
  }

  @Test
  void portsWithoutTheirHostAreNetc230() {
    CliRunner cli = new CliRunner();
    cli.write("shop.netc", SHOP);
    // as a development build wrote it: `ports: ENDPOINT: LINE: [PORT]`
    cli.write("shop.lock", LOCK.substring(0, LOCK.indexOf("ports:")) + """
        ports:
          "web":
            "127.0.0.1:8080/tcp": [49153]
            "80/tcp": [49152]
        """);
    CliRunner.Result lint = cli.run("lint", "shop.netc");
    assertEquals(1, lint.status(), lint.out());
    assertTrue(lint.out().contains("error[NETC230]: the host ports in the lock file do not name their host:"
        + " expected `ports: HOST: ENDPOINT: LINE: [PORT]`, got `web: 127.0.0.1:8080/tcp: [PORT]`\n"), lint.out());
    assertTrue(lint.out().contains("= help: a development build of netc wrote this form; delete the `ports`"
        + " section (the subnets and addresses stay pinned) and run `netc lock` again"), lint.out());
    assertEquals(1, lint.out().split("NETC230", -1).length - 1, lint.out());
  }
}
