package dev.cloudpc.reprovision.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
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
   * referenced): the test classes and the SDK's jars, listed by the bench profile in the file that
   * {@code -Dbench.sdkPeerClasspathFile} names. Not the bench's whole classpath: opening its other jars on the way to
   * the SDK's classes cost about 100 ms of the peer's cold start.
   */
  static Subject sdkPeer() {
    String file = System.getProperty("bench.sdkPeerClasspathFile");
    if (file == null) {
      throw new IllegalStateException("-Dbench.sdkPeerClasspathFile is not set: run the bench with "
          + BenchMain.COMMAND);
    }
    try {
      String jars = Files.readString(Path.of(file)).trim();
      return new Subject("sdkPeer", List.of(MAX_IDLE_CONNECTIONS, "-cp", testClasses() + File.pathSeparator + jars,
          "dev.cloudpc.reprovision.bench.SdkPeerFunction"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the SDK peer's classpath from " + file, e);
    }
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
