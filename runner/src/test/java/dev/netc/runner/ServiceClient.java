package dev.netc.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A client the service kernel tests run inside a namespace ({@code ip netns exec NS java -cp ...
 * ServiceClient HOST PORT N [TIMEOUT_MS]}): opens N TCP connections one after the other, each from a fresh
 * source port, reads the one line the server answers (its endpoint's name), and prints how many
 * connections each name answered, then {@code failed N}.
 */
public final class ServiceClient {
  private ServiceClient() {}

  public static void main(String[] args) {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    int timeout = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
    Map<String, Integer> counts = new TreeMap<>();
    int failed = 0;
    for (int i = 0; i < n; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), timeout);
        s.setSoTimeout(timeout);
        String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        counts.merge(line == null ? "(nothing)" : line.strip(), 1, Integer::sum);
      } catch (IOException e) {
        failed++;
      }
    }
    counts.forEach((k, v) -> System.out.println(k + " " + v));
    System.out.println("failed " + failed);
  }
}
