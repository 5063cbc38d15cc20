package dev.netc.runner.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Protocol;
import dev.netc.runner.RunnerException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The probe's sockets on this machine's loopback, in the test's own namespace (no root): a
 * listener answers with its place and port, a closed port is refused, a silent one times out, a
 * listener that is not the probe's is told apart, a taken port is one clear error, and nothing
 * stays open afterwards.
 */
@Timeout(30)
class SocketProbeTest {
  private static final InetAddress LOOP = InetAddress.getLoopbackAddress();

  private static int freePort() throws IOException {
    try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(LOOP, 0));
        DatagramChannel d = DatagramChannel.open()) {
      int p = s.socket().getLocalPort();
      d.bind(new InetSocketAddress(LOOP, p)); // free in UDP too
      return p;
    } catch (java.net.BindException e) {
      return freePort();
    }
  }

  private static Attempt at(Protocol p, int port) {
    return new Attempt("here", p, new InetSocketAddress(LOOP, port));
  }

  @Test
  void outcomesOfEveryKind() throws Exception {
    int port = freePort();
    int closed = freePort();
    try (ServerSocketChannel foreign = ServerSocketChannel.open().bind(new InetSocketAddress(LOOP, 0));
        DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress(LOOP, 0))) {
      Thread stranger = new Thread(() -> {
        try (SocketChannel c = foreign.accept()) {
          c.write(ByteBuffer.wrap("SSH-2.0-OpenSSH\n".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
          // the test fails on the outcome
        }
      });
      stranger.start();
      List<Outcome> out;
      try (SocketProbe probe = new SocketProbe(Namespaces.here())) {
        probe.listen(List.of(new SocketProbe.Place("here", List.of(LOOP))), List.of(port), List.of(port));
        out = probe.connect(List.of(at(Protocol.TCP, port), at(Protocol.UDP, port), at(Protocol.TCP, closed),
            at(Protocol.UDP, closed), at(Protocol.UDP, silent.socket().getLocalPort()),
            at(Protocol.TCP, foreign.socket().getLocalPort())), Duration.ofMillis(300), 2, done -> {});
      }
      stranger.join(5_000);
      assertEquals(List.of("answered by here on " + port, "answered by here on " + port, "refused", "refused",
          "timed out", "answered by a process that is not the probe's"), out.stream().map(Outcome::text).toList());
    }
    // the listeners are closed and their thread ended
    try (ServerSocketChannel again = ServerSocketChannel.open().bind(new InetSocketAddress(LOOP, port))) {
      assertTrue(again.isOpen());
    }
    assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("netc-probe-listen")));
  }

  @Test
  void aTakenPortIsOneClearError() throws Exception {
    int port = freePort();
    int other = freePort();
    try (ServerSocketChannel taken = ServerSocketChannel.open().bind(new InetSocketAddress(port))) {
      SocketProbe probe = new SocketProbe(Namespaces.here());
      try (probe) {
        RunnerException e = assertThrows(RunnerException.class,
            () -> probe.listen(List.of(new SocketProbe.Place("here", List.of())), List.of(other, port), List.of()));
        assertEquals("cannot listen on " + port + "/tcp in namespace here: Address already in use (a process of its"
            + " own listens there? stop it, or probe other ports with --port)", e.getMessage());
      }
    }
    // the listener opened before the failure is closed again
    try (ServerSocketChannel again = ServerSocketChannel.open().bind(new InetSocketAddress(other))) {
      assertTrue(again.isOpen());
    }
  }

  @Test
  void manyAttemptsWithFewInFlight() throws Exception {
    int port = freePort();
    List<Attempt> attempts = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      attempts.add(at(i % 2 == 0 ? Protocol.TCP : Protocol.UDP, port));
    }
    int[] last = {0};
    try (SocketProbe probe = new SocketProbe(Namespaces.here())) {
      probe.listen(List.of(new SocketProbe.Place("here", List.of(LOOP))), List.of(port), List.of(port));
      List<Outcome> out = probe.connect(attempts, Duration.ofSeconds(2), 16, done -> last[0] = done);
      assertTrue(out.stream().allMatch(o -> o.status() == Outcome.Status.ANSWERED), out::toString);
    }
    assertEquals(300, last[0]);
  }
}
