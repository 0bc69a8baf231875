package dev.cloudpc.reprovision.config;

/** How the function introduces itself to Entra and Graph (Cloud PC endpoints answer 403 without a User-Agent). */
public final class UserAgent {
  public static final String VALUE = "cloudpc-reprovision/1.0 (Vert.x; +https://learn.microsoft.com/graph)";

  private UserAgent() {
  }
}
