package dev.netc.runner.probe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@link Namespaces} through {@code setns(2)}: one thread per namespace, started on first use,
 * which opens {@code /run/netns/NAME} and joins its network namespace before it runs anything,
 * then runs the actions given for that namespace one after the other. Only these threads ever
 * change namespace, and they end in {@link #close}. Needs {@code CAP_SYS_ADMIN} (root).
 *
 * <p>The native calls go through JNA: the JDK has no API that enters a namespace.
 */
public final class SetnsNamespaces implements Namespaces {
  /** {@code CLONE_NEWNET} of {@code <sched.h>}: the namespace type setns joins. */
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;

  /** The C library calls the probe needs. */
  private interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static volatile LibC libc;

  private final Path runNetns;
  private final Map<String, Worker> workers = new HashMap<>();
  private boolean closed;

  public SetnsNamespaces() {
    this(Path.of("/run/netns"));
  }

  /** With namespaces named under {@code runNetns} (where {@code ip netns add} makes them). */
  public SetnsNamespaces(Path runNetns) {
    this.runNetns = runNetns;
  }

  private static LibC libc() {
    LibC l = libc;
    if (l == null) {
      synchronized (SetnsNamespaces.class) {
        if (libc == null) {
          libc = Native.load("c", LibC.class);
        }
        l = libc;
      }
    }
    return l;
  }

  @Override
  public <T> T call(String namespace, Callable<T> action) throws IOException {
    Worker w = worker(namespace);
    FutureTask<T> task = new FutureTask<>(action);
    w.tasks.add(task);
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while working in namespace " + namespace, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(c);
    }
  }

  private Worker worker(String namespace) throws IOException {
    Worker w;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      w = workers.get(namespace);
      if (w == null) {
        if (namespace.isEmpty() || namespace.contains("/") || namespace.startsWith(".")) {
          throw new IllegalArgumentException("not a namespace name: `" + namespace + "`");
        }
        w = new Worker(namespace, runNetns.resolve(namespace));
        workers.put(namespace, w);
        w.start();
      }
    }
    try {
      w.entered.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
    return w;
  }

  @Override
  public void close() {
    List<Worker> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(workers.values());
      workers.clear();
    }
    for (Worker w : all) {
      w.tasks.add(Worker.STOP);
    }
    for (Worker w : all) {
      try {
        w.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The thread of one namespace. */
  private static final class Worker extends Thread {
    static final FutureTask<Void> STOP = new FutureTask<>(() -> null);

    final BlockingQueue<FutureTask<?>> tasks = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> entered = new CompletableFuture<>();
    private final String namespace;
    private final Path file;

    Worker(String namespace, Path file) {
      super("netc-netns-" + namespace);
      this.namespace = namespace;
      this.file = file;
      setDaemon(true); // never keeps the JVM alive; close() ends it
    }

    @Override
    public void run() {
      try {
        enter();
      } catch (IOException e) {
        entered.completeExceptionally(e);
        return;
      }
      entered.complete(null);
      while (true) {
        FutureTask<?> t;
        try {
          t = tasks.take();
        } catch (InterruptedException e) {
          return;
        }
        if (t == STOP) {
          return;
        }
        t.run();
      }
    }

    private void enter() throws IOException {
      LibC c;
      try {
        c = libc();
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        throw new IOException("cannot load the C library to enter namespace " + namespace + ": " + e.getMessage());
      }
      int fd;
      try {
        fd = c.open(file.toString(), O_RDONLY | O_CLOEXEC);
      } catch (LastErrorException e) {
        throw new IOException(e.getErrorCode() == 2 ? "namespace " + namespace + " does not exist"
            : "cannot open " + file + ": " + strerror(e));
      }
      try {
        c.setns(fd, CLONE_NEWNET);
      } catch (LastErrorException e) {
        throw new IOException("cannot enter namespace " + namespace + ": " + strerror(e)
            + (e.getErrorCode() == 1 ? " (entering a namespace needs root)" : ""));
      } finally {
        try {
          c.close(fd);
        } catch (LastErrorException e) {
          // the namespace is entered; a failed close of its file changes nothing
        }
      }
    }

    private static String strerror(LastErrorException e) {
      return switch (e.getErrorCode()) {
        case 1 -> "operation not permitted";
        case 2 -> "no such file";
        case 13 -> "permission denied";
        case 22 -> "not a network namespace";
        default -> "errno " + e.getErrorCode();
      };
    }
  }
}
