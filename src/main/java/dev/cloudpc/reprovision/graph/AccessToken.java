package dev.cloudpc.reprovision.graph;

import java.time.Duration;
import java.time.Instant;

/** A Graph access token and when it expires; {@code toString} never shows the token. */
public record AccessToken(String value, Instant expiresAt) {

  public boolean validFor(Duration margin) {
    return Instant.now().plus(margin).isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "AccessToken[expiresAt=" + expiresAt + "]";
  }
}
