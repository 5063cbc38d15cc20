package dev.netc.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs commands with {@link ProcessBuilder} (no shell), killing any that outlives its timeout.
 * Each runs in a session of its own ({@code setsid}, when there is one): a Ctrl-C in the terminal
 * reaches netc alone, which then rolls an apply back or lets a destroy end (the command line's
 * {@code Interrupts}), instead of also killing the {@code ip} or {@code nft} batch running at
 * that moment (which stopped a destroy half way). {@link #runAttached} (an interactive {@code
 * netc exec}) keeps the terminal.
 */
public final class ProcessExecutor implements CommandExecutor {
  /** {@code setsid(1)} of util-linux, or null. */
  private static final String SETSID = executable("setsid").orElse(null);
  private static final java.util.Map<String, java.util.Optional<String>> FOUND = new java.util.concurrent.ConcurrentHashMap<>();

  private final Duration timeout;
  private final AtomicInteger count = new AtomicInteger();

  public ProcessExecutor(Duration timeout) {
    this.timeout = timeout;
  }

  public ProcessExecutor() {
    this(Duration.ofSeconds(60));
  }

  @Override
  public Result run(List<String> argv, String stdin) {
    count.incrementAndGet();
    List<String> command = argv;
    if (SETSID != null) {
      // setsid would report a missing command in words of its own: told here as without it
      if (!argv.get(0).contains("/") && FOUND.computeIfAbsent(argv.get(0), ProcessExecutor::executable).isEmpty()) {
        return new Result(127, "", CommandExecutor.notFound(argv.get(0)));
      }
      command = new java.util.ArrayList<>(argv.size() + 1);
      command.add(SETSID);
      command.addAll(argv);
    }
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      return new Result(127, "", "cannot run `" + argv.get(0) + "`: " + e.getMessage());
    }
    // stdin written and stderr read on threads of their own, stdout on this one: no pipe can
    // fill up while another waits (the common pool may have a single thread)
    CompletableFuture<String> err = new CompletableFuture<>();
    Thread errReader = new Thread(() -> err.complete(read(p.getErrorStream())), "netc-stderr");
    Thread writer = new Thread(() -> {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the command exited without reading all its input: its status says why
      }
    }, "netc-stdin");
    errReader.setDaemon(true);
    writer.setDaemon(true);
    errReader.start();
    writer.start();
    CompletableFuture<String> out = new CompletableFuture<>();
    Thread outReader = new Thread(() -> out.complete(read(p.getInputStream())), "netc-stdout");
    outReader.setDaemon(true);
    outReader.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, "", "`" + String.join(" ", argv) + "` timed out after "
            + timeout.toSeconds() + " s");
      }
      return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // a child of the command kept the pipes open after it exited
      return new Result(p.exitValue(), out.getNow(""), err.getNow("") + " (output not closed: " + e + ")");
    }
  }

  @Override
  public int runAttached(List<String> argv) {
    count.incrementAndGet();
    // netc ended by a signal (SIGTERM, SIGHUP; a Ctrl-C reaches the command itself): the command
    // gets SIGTERM and up to 5 s to end, then SIGKILL, as `timeout` and `docker exec` do, instead
    // of running on, orphaned, in a namespace a destroy then cannot remove
    // (and its children: a shell's commands would run on, orphaned, too). The hook is there
    // before the command starts: registered after, a signal that came while the JVM was still
    // setting up its first process (the command may already have printed) found none, and the
    // command ran on (InterruptKernelTest, when nothing had been spawned before it).
    java.util.concurrent.CompletableFuture<Process> started = new java.util.concurrent.CompletableFuture<>();
    Thread stop = new Thread(() -> {
      Process p;
      try {
        // (the main thread goes on during shutdown: a command being started is there at once)
        p = started.get(5, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
        return; // never started
      }
      List<ProcessHandle> tree = new java.util.ArrayList<>(p.descendants().toList());
      tree.add(p.toHandle());
      tree.forEach(ProcessHandle::destroy);
      // every one of them, not only the command, gets the 5 s, then SIGKILL (a child that
      // ignores SIGTERM outlives a shell that ends at once)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      try {
        for (ProcessHandle h : tree) {
          long left = deadline - System.nanoTime();
          if (left > 0) {
            h.onExit().get(left, TimeUnit.NANOSECONDS);
          }
        }
      } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
        // what is still alive is killed below
      }
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }, "netc-exec-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    Process p;
    try {
      p = new ProcessBuilder(argv).inheritIO().start();
    } catch (IOException e) {
      started.completeExceptionally(e);
      removeHook(stop);
      throw new RunnerException("cannot run `" + argv.get(0) + "`: " + e.getMessage());
    }
    started.complete(p);
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      return 130;
    } finally {
      removeHook(stop);
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is ending: the hook runs
    }
  }

  @Override
  public boolean reachesKernel() {
    return true;
  }

  @Override
  public int processes() {
    return count.get();
  }

  /** The path of command {@code name} on the PATH (or {@code name} itself, a path), when there is an executable one. */
  public static java.util.Optional<String> executable(String name) {
    if (name.contains("/")) {
      java.nio.file.Path p = java.nio.file.Path.of(name);
      return java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p) ? java.util.Optional.of(name)
          : java.util.Optional.empty();
    }
    String path = System.getenv("PATH");
    for (String dir : (path == null || path.isEmpty() ? "/usr/sbin:/usr/bin:/sbin:/bin" : path).split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      java.nio.file.Path p = java.nio.file.Path.of(dir, name);
      if (java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p)) {
        return java.util.Optional.of(p.toString());
      }
    }
    return java.util.Optional.empty();
  }

  private static String read(InputStream s) {
    try (s) {
      return new String(s.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
