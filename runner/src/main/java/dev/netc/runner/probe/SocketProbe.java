package dev.netc.runner.probe;

import dev.netc.compiler.ir.Protocol;
import dev.netc.runner.RunnerException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * The sockets of one probe: listeners in every namespace that answer with who they are, and the
 * connections, all non-blocking, on two threads (one serves every listener, the caller's own
 * opens and watches the connections). Sockets are made in their namespace through {@link
 * Namespaces} and used from these threads.
 *
 * <p>A TCP listener (dual-stack, on {@code ::}) writes {@code netc-probe TOKEN NAMESPACE PORT}
 * to every connection it accepts; a UDP listener (one per local address, so that its reply
 * leaves from the address the datagram came to, as connection tracking expects) sends the same
 * line back to every datagram. The random token tells this probe's listeners from anything
 * else that might answer. {@link #close} closes every socket and ends the listening thread,
 * whatever happened before.
 */
final class SocketProbe implements AutoCloseable {
  private static final String MAGIC = "netc-probe";

  private final Namespaces namespaces;
  private final String token = UUID.randomUUID().toString().substring(0, 8);
  private final Selector listenSelector;
  private final List<SelectableChannel> listeners = new ArrayList<>();
  private Thread server;
  private volatile boolean stopping;

  SocketProbe(Namespaces namespaces) throws IOException {
    this.namespaces = namespaces;
    this.listenSelector = Selector.open();
  }

  /** Where to listen: a namespace, and the local addresses its UDP listeners bind to. */
  record Place(String namespace, List<InetAddress> udpAddresses) {
    Place {
      udpAddresses = List.copyOf(udpAddresses);
    }
  }

  /**
   * Opens the listeners of every place on every port and starts serving them.
   *
   * @throws RunnerException when a port is taken in a namespace, or a namespace cannot be entered
   */
  void listen(List<Place> places, List<Integer> tcpPorts, List<Integer> udpPorts) {
    for (Place p : places) {
      try {
        namespaces.call(p.namespace(), () -> {
          for (int port : tcpPorts) {
            listeners.add(tcpListener(p.namespace(), port));
          }
          for (int port : udpPorts) {
            for (InetAddress a : p.udpAddresses()) {
              udpListener(p.namespace(), a, port).ifPresent(listeners::add);
            }
          }
          return null;
        });
      } catch (IOException e) {
        throw new RunnerException(e.getMessage());
      }
    }
    server = new Thread(this::serve, "netc-probe-listen");
    server.setDaemon(true);
    server.start();
  }

  private ServerSocketChannel tcpListener(String ns, int port) throws IOException {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET6);
    try {
      s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      s.bind(new InetSocketAddress(InetAddress.getByName("::"), port), 4096);
      s.configureBlocking(false);
      s.register(listenSelector, SelectionKey.OP_ACCEPT, new Listener(ns, port));
      return s;
    } catch (BindException e) {
      s.close();
      throw taken(ns, port, "tcp", e);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private Optional<DatagramChannel> udpListener(String ns, InetAddress a, int port) throws IOException {
    DatagramChannel d = DatagramChannel.open(family(a));
    try {
      d.bind(new InetSocketAddress(a, port));
      d.configureBlocking(false);
      d.register(listenSelector, SelectionKey.OP_READ, new Listener(ns, port));
      return Optional.of(d);
    } catch (BindException e) {
      d.close();
      if (e.getMessage() != null && e.getMessage().contains("assign")) {
        return Optional.empty(); // the address is not in this namespace: nothing can arrive there
      }
      throw taken(ns, port, "udp", e);
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  private static IOException taken(String ns, int port, String proto, BindException e) {
    return new IOException("cannot listen on " + port + "/" + proto + " in namespace " + ns + ": "
        + e.getMessage() + " (a process of its own listens there? stop it, or probe other ports with --port)");
  }

  /** What a listener says about itself. */
  private record Listener(String namespace, int port) {
    byte[] identity(String token) {
      return (MAGIC + " " + token + " " + namespace + " " + port + "\n").getBytes(StandardCharsets.US_ASCII);
    }
  }

  private void serve() {
    ByteBuffer buf = ByteBuffer.allocate(2048);
    try {
      while (!stopping) {
        listenSelector.select(100);
        for (SelectionKey k : listenSelector.selectedKeys()) {
          Listener l = (Listener) k.attachment();
          try {
            if (k.channel() instanceof ServerSocketChannel s) {
              SocketChannel c;
              while ((c = s.accept()) != null) {
                try (SocketChannel conn = c) {
                  conn.write(ByteBuffer.wrap(l.identity(token))); // a few bytes: always fit
                }
              }
            } else if (k.channel() instanceof DatagramChannel d) {
              SocketAddress from;
              buf.clear();
              while ((from = d.receive(buf)) != null) {
                buf.flip();
                byte[] id = l.identity(token);
                ByteBuffer reply = ByteBuffer.allocate(id.length + buf.remaining());
                reply.put(id).put(buf).flip();
                d.send(reply, from);
                buf.clear();
              }
            }
          } catch (IOException e) {
            // one failed accept or send (the client gave up): the others go on
          }
        }
        listenSelector.selectedKeys().clear();
      }
    } catch (IOException | ClosedSelectorException e) {
      // closing
    }
  }

  // ------------------------------------------------------------------ connections

  /** An attempt in flight. */
  private static final class Flight {
    final int index;
    final Attempt attempt;
    final long deadline;
    SelectableChannel channel;
    ByteBuffer in = ByteBuffer.allocate(256);

    Flight(int index, Attempt attempt, long deadline) {
      this.index = index;
      this.attempt = attempt;
      this.deadline = deadline;
    }
  }

  /**
   * Makes every attempt, at most {@code maxInFlight} at a time, each waiting at most {@code
   * timeout} for an answer, and returns their outcomes in the order of {@code attempts}.
   * {@code progress} gets the number of attempts done so far, now and then.
   */
  List<Outcome> connect(List<Attempt> attempts, Duration timeout, int maxInFlight, IntConsumer progress) {
    Outcome[] out = new Outcome[attempts.size()];
    long timeoutNanos = timeout.toNanos();
    try (Selector sel = Selector.open()) {
      Deque<Flight> flying = new ArrayDeque<>(); // in deadline order: started in order
      int next = 0;
      int done = 0;
      while (next < attempts.size() || !flying.isEmpty()) {
        if (next < attempts.size() && flying.size() <= maxInFlight / 2) {
          int until = Math.min(attempts.size(), next + maxInFlight - flying.size());
          done += start(attempts, next, until, sel, flying, out, timeoutNanos);
          next = until;
        }
        long wait = flying.isEmpty() ? 1 : Math.max(1, (flying.peekFirst().deadline - System.nanoTime()) / 1_000_000);
        sel.select(Math.min(wait, 50));
        for (SelectionKey k : sel.selectedKeys()) {
          Flight f = (Flight) k.attachment();
          if (out[f.index] != null) {
            continue;
          }
          Outcome o = step(f, k);
          if (o != null) {
            out[f.index] = o;
            closeQuietly(f.channel);
            done++;
          }
        }
        sel.selectedKeys().clear();
        long now = System.nanoTime();
        while (!flying.isEmpty() && (out[flying.peekFirst().index] != null || flying.peekFirst().deadline <= now)) {
          Flight f = flying.pollFirst();
          if (out[f.index] == null) {
            out[f.index] = Outcome.of(Outcome.Status.TIMEOUT);
            closeQuietly(f.channel);
            done++;
          }
        }
        progress.accept(done);
      }
    } catch (IOException e) {
      throw new RunnerException("probe failed: " + e.getMessage());
    } finally {
      // nothing stays open, whatever happened
      for (int i = 0; i < out.length; i++) {
        if (out[i] == null) {
          out[i] = Outcome.error("not run");
        }
      }
    }
    return List.of(out);
  }

  /** Opens attempts {@code [from, until)}, grouped by namespace; returns how many ended at once. */
  private int start(List<Attempt> attempts, int from, int until, Selector sel, Deque<Flight> flying,
      Outcome[] out, long timeoutNanos) throws IOException {
    Map<String, List<Integer>> byNamespace = new LinkedHashMap<>();
    for (int i = from; i < until; i++) {
      byNamespace.computeIfAbsent(attempts.get(i).from(), k -> new ArrayList<>()).add(i);
    }
    int ended = 0;
    for (Map.Entry<String, List<Integer>> e : byNamespace.entrySet()) {
      List<Flight> opened = namespaces.call(e.getKey(), () -> {
        List<Flight> fs = new ArrayList<>();
        for (int i : e.getValue()) {
          Flight f = new Flight(i, attempts.get(i), System.nanoTime() + timeoutNanos);
          fs.add(f);
          try {
            open(f);
          } catch (IOException ex) {
            closeQuietly(f.channel);
            out[i] = failure(ex);
          }
        }
        return fs;
      });
      for (Flight f : opened) {
        if (out[f.index] != null) {
          ended++;
          continue;
        }
        f.channel.register(sel, f.attempt.protocol() == Protocol.TCP ? interestAfterOpen(f) : SelectionKey.OP_READ, f);
        flying.addLast(f);
      }
    }
    return ended;
  }

  private static int interestAfterOpen(Flight f) {
    return ((SocketChannel) f.channel).isConnected() ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT;
  }

  /** Creates the socket (in the current thread's namespace) and starts the connection. */
  private void open(Flight f) throws IOException {
    InetSocketAddress to = f.attempt.to();
    if (f.attempt.protocol() == Protocol.TCP) {
      SocketChannel c = SocketChannel.open(family(to.getAddress()));
      f.channel = c;
      c.configureBlocking(false);
      c.connect(to);
    } else {
      DatagramChannel d = DatagramChannel.open(family(to.getAddress()));
      f.channel = d;
      d.configureBlocking(false);
      d.connect(to);
      byte[] payload = (MAGIC + " " + token + " " + f.index + "\n").getBytes(StandardCharsets.US_ASCII);
      // twice: a datagram queued while the neighbour is resolved may be dropped
      d.write(ByteBuffer.wrap(payload));
      d.write(ByteBuffer.wrap(payload));
    }
  }

  /** Advances one attempt on a ready key; its outcome when it ended. */
  private Outcome step(Flight f, SelectionKey k) {
    try {
      if (f.channel instanceof SocketChannel c) {
        if (k.isConnectable()) {
          c.finishConnect();
          k.interestOps(SelectionKey.OP_READ);
          return null;
        }
        int n = c.read(f.in);
        Outcome o = parse(f.in);
        if (o != null) {
          return o;
        }
        return n < 0 || !f.in.hasRemaining() ? Outcome.of(Outcome.Status.FOREIGN) : null;
      }
      DatagramChannel d = (DatagramChannel) f.channel;
      f.in.clear();
      if (d.read(f.in) <= 0) {
        return null;
      }
      Outcome o = parse(f.in);
      return o != null ? o : Outcome.of(Outcome.Status.FOREIGN);
    } catch (IOException e) {
      return failure(e);
    }
  }

  /** The listener's line in {@code buf}, once it is complete; null before. */
  private Outcome parse(ByteBuffer buf) {
    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
    int nl = text.indexOf('\n');
    if (nl < 0) {
      return null;
    }
    String[] w = text.substring(0, nl).split(" ");
    if (w.length < 4 || !w[0].equals(MAGIC) || !w[1].equals(token)) {
      return Outcome.of(Outcome.Status.FOREIGN);
    }
    try {
      return Outcome.answered(w[2], Integer.parseInt(w[3]));
    } catch (NumberFormatException e) {
      return Outcome.of(Outcome.Status.FOREIGN);
    }
  }

  private static Outcome failure(IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof PortUnreachableException || e instanceof ConnectException && m.contains("refused")) {
      return Outcome.of(Outcome.Status.REFUSED);
    }
    if (e instanceof NoRouteToHostException || m.contains("unreachable") || m.contains("No route")) {
      return Outcome.of(Outcome.Status.UNREACHABLE);
    }
    if (e instanceof SocketException && m.contains("refused")) {
      return Outcome.of(Outcome.Status.REFUSED);
    }
    return Outcome.error(m);
  }

  private static ProtocolFamily family(InetAddress a) {
    return a instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
  }

  private static void closeQuietly(SelectableChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // closing: nothing left to do
      }
    }
  }

  @Override
  public void close() {
    stopping = true;
    if (server != null) {
      listenSelector.wakeup();
      try {
        server.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SelectableChannel c : listeners) {
      closeQuietly(c);
    }
    listeners.clear();
    try {
      listenSelector.close();
    } catch (IOException e) {
      // closing
    }
  }
}
