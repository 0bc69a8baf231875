package dev.cloudpc.reprovision.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** A secret value whose {@code toString} never reveals it, so it cannot leak through logs or records. */
public record Secret(String value) {

  /** Constant-time comparison, for function keys. */
  public boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
        candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Secret[***]";
  }
}
