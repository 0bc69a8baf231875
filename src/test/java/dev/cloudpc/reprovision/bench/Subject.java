package dev.cloudpc.reprovision.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the bench launches and measures: the product's jar with JVM options, or the peer from the test classes. */
record Subject(String name, List<String> javaArguments) {

  static Subject product(String name, Path jar, List<String> jvmOptions) {
    List<String> arguments = new ArrayList<>(jvmOptions);
    arguments.add("-jar");
    arguments.add(jar.toString());
    return new Subject(name, List.copyOf(arguments));
  }

  /**
   * The thread-per-request peer, plain {@code java -cp}. The JDK's server closes idle keep-alive connections above
   * 200 by default; raised so that C = 1,000 measures the peer's work, not reconnects.
   */
  static Subject peer() {
    return new Subject("peer", List.of("-Dsun.net.httpserver.maxIdleConnections=4096", "-cp", testClasses(),
        PeerFunction.class.getName()));
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
