package dev.netc.runner.probe;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * Runs code inside network namespaces. A socket belongs to the namespace of the thread that
 * creates it, and stays there whichever thread uses it afterwards; so the probe creates its
 * sockets through {@link #call} and uses them from its own threads.
 *
 * <p>{@link SetnsNamespaces} is the real one (a thread per namespace that entered it with
 * {@code setns(2)}); {@link #here()} stays in the caller's namespace, for tests without root.
 */
public interface Namespaces extends AutoCloseable {
  /**
   * Runs {@code action} on a thread that is in namespace {@code namespace} (a name under
   * {@code /run/netns}) and returns its result; the action's exceptions reach the caller.
   *
   * @throws IOException when the namespace cannot be entered (it does not exist, no root)
   */
  <T> T call(String namespace, Callable<T> action) throws IOException;

  /** Ends every thread this object started. */
  @Override
  void close();

  /** Runs every action on the calling thread, in its namespace, whatever name is given. */
  static Namespaces here() {
    return new Namespaces() {
      @Override
      public <T> T call(String namespace, Callable<T> action) throws IOException {
        try {
          return action.call();
        } catch (IOException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IOException(e);
        }
      }

      @Override
      public void close() {}
    };
  }
}
