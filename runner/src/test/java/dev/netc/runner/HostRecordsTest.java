package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records of the host namespaces each topology plays in a sandbox ({@code S.TOPOLOGY.hosts}). */
class HostRecordsTest {
  @TempDir Path dir;

  @Test
  void aRecordIsReadBackAsWrittenAndNamesNoOtherSandboxs() throws Exception {
    HostRecords r = new HostRecords(dir);
    Sandbox a = new Sandbox("a");
    Sandbox ab = new Sandbox("a.b");
    r.write(a, "t1", Optional.of(Set.of("a-host_h2", "a-host_h1")));
    r.write(a, "t2", Optional.of(Set.of()));
    r.write(ab, "c", Optional.of(Set.of("a.b-host_h1"))); // a.b.c.hosts: sandbox a.b's, not a's topology b.c
    assertEquals("# netc: the host namespaces topology t1 plays in sandbox a; written by apply, removed by destroy\n"
        + "a-host_h1\na-host_h2\n", Files.readString(dir.resolve("a.t1.hosts")));
    assertEquals(Optional.of(Set.of("a-host_h1", "a-host_h2")), r.read(a, "t1"));
    assertEquals(Map.of("t2", Optional.of(Set.of())), r.others(a, "t1"));
    assertEquals(Map.of("t1", Optional.of(Set.of("a-host_h1", "a-host_h2")), "t2", Optional.of(Set.of())), r.others(a, "x"));
    assertEquals(Map.of(), r.others(ab, "c"));
    assertFalse(Files.exists(dir.resolve("a.t1.hosts.new")));
  }

  @Test
  void noRecordOrADamagedOneSaysNothing() throws Exception {
    HostRecords r = new HostRecords(dir);
    Sandbox a = new Sandbox("a");
    assertEquals(Optional.empty(), r.read(a, "t1"));
    Files.writeString(dir.resolve("a.t2.hosts"), "# netc\na-host_h1\nnot a namespace/\n");
    assertEquals(Optional.empty(), r.read(a, "t2"));
    assertEquals(Map.of("t2", Optional.empty()), r.others(a, "t1"));
    r.write(a, "t2", Optional.empty());
    assertFalse(Files.exists(dir.resolve("a.t2.hosts")));
    assertEquals(Map.of(), new HostRecords(dir.resolve("none")).others(a, "t1"));
  }
}
