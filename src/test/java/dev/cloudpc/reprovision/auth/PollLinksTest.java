package dev.cloudpc.reprovision.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.Secret;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A polling link's signature covers exactly its path and expiry, under the configured key. */
class PollLinksTest {
  private static final String PATH = "/api/cloudpcs/b2d4f6a8-1c3e-4f70-9b2d-4f6a81c3e5f1/operations/1764345600123";
  private final PollLinks links = new PollLinks(Optional.of(new Secret("shared-by-every-instance")));

  @Test
  void aSignatureIsValidForItsPathOnlyAndAcrossInstancesWithTheSameKey() {
    String sig = links.sign(PATH);
    assertThat(links.valid(PATH, sig)).isTrue();
    assertThat(new PollLinks(Optional.of(new Secret("shared-by-every-instance"))).valid(PATH, sig)).isTrue();
    assertThat(links.valid(PATH.replace("e5f1", "e5f2"), sig)).isFalse();
    assertThat(new PollLinks(Optional.of(new Secret("another key"))).valid(PATH, sig)).isFalse();
    assertThat(new PollLinks(Optional.empty()).valid(PATH, sig)).isFalse();
  }

  @Test
  void tamperedOrExpiredSignaturesAreRefused() {
    String sig = links.sign(PATH);
    String mac = sig.substring(sig.indexOf('.') + 1);
    long expired = Instant.now().minusSeconds(1).getEpochSecond();
    long later = Instant.now().plusSeconds(3 * 86_400).getEpochSecond();
    assertThat(links.valid(PATH, expired + "." + mac)).isFalse();
    assertThat(links.valid(PATH, later + "." + mac)).isFalse();
    assertThat(links.valid(PATH, sig.substring(0, sig.length() - 2) + "AA")).isFalse();
    assertThat(links.valid(PATH, "garbage")).isFalse();
    assertThat(links.valid(PATH, "")).isFalse();
  }
}
