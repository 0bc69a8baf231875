package dev.cloudpc.reprovision.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the bench launches and measures: the product's jar with JVM options, or a peer from the test classes. */
record Subject(String name, List<String> javaArguments) {
  private static final String MAX_IDLE_CONNECTIONS = "-Dsun.net.httpserver.maxIdleConnections=4096";

  static Subject product(String name, Path jar, List<String> jvmOptions) {
    List<String> arguments = new ArrayList<>(jvmOptions);
    arguments.add("-jar");
    arguments.add(jar.toString());
    return new Subject(name, List.copyOf(arguments));
  }

  /**
   * The JDK-only thread-per-request peer, plain {@code java -cp}. The JDK's server (both peers') closes idle
   * keep-alive connections above 200 by default; raised so that C = 1,000 measures the peer's work, not reconnects.
   */
  static Subject peer() {
    return new Subject("peer", List.of(MAX_IDLE_CONNECTIONS, "-cp", testClasses(), PeerFunction.class.getName()));
  }

  /**
   * The Graph-SDK peer ({@code SdkPeerFunction}, src/bench/java: compiled only under {@code -Pbench}, hence named, not
   * referenced) on the bench's own classpath, the only one that holds the SDK. The JVM opens a jar only when a class
   * lookup reaches it, and the test classes come first.
   */
  static Subject sdkPeer() {
    return new Subject("sdkPeer", List.of(MAX_IDLE_CONNECTIONS, "-cp", System.getProperty("java.class.path"),
        "dev.cloudpc.reprovision.bench.SdkPeerFunction"));
  }

  ProductProcess launch(Map<String, String> env, Path log) {
    return ProductProcess.launch(javaArguments, env, log);
  }

  private static String testClasses() {
    try {
      return Path.of(PeerFunction.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
