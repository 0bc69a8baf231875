package dev.cloudpc.reprovision.graph;

import java.time.Instant;

/**
 * A Graph access token and when it expires; {@code toString} never shows the token.
 *
 * @param authorization the {@code Authorization} header value, built once per token rather than once per Graph call
 *                      (a ~1.5 KB string three times per reprovision; issue 14's allocation)
 */
public record AccessToken(String value, Instant expiresAt, String authorization) {

  public AccessToken(String value, Instant expiresAt) {
    this(value, expiresAt, "Bearer " + value);
  }

  /** Whether the token is still valid at {@code when}. */
  public boolean validAt(Instant when) {
    return when.isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "AccessToken[expiresAt=" + expiresAt + "]";
  }
}
