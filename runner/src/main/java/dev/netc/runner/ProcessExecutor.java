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

/** Runs commands with {@link ProcessBuilder} (no shell), killing any that outlives its timeout. */
public final class ProcessExecutor implements CommandExecutor {
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
    Process p;
    try {
      p = new ProcessBuilder(argv).start();
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
    Process p;
    try {
      p = new ProcessBuilder(argv).inheritIO().start();
    } catch (IOException e) {
      throw new RunnerException("cannot run `" + argv.get(0) + "`: " + e.getMessage());
    }
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      return 130;
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

  private static String read(InputStream s) {
    try (s) {
      return new String(s.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
