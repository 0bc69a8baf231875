package dev.cloudpc.reprovision.budget;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The arithmetic every instance relies on without talking to the others. */
class PacingTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 61, 62, 90, 270, 1_000, 1_000_000})
  void anyWindowOfBucketsCarriesTheLimitExactlyAndNoBucketIsNegative(int perMinute) {
    Pacing pacing = new Pacing(perMinute);
    long start = 1_765_000_000L; // an epoch second in 2025
    for (long first = start; first < start + 200; first++) {
      long sum = 0;
      for (long b = first; b < first + Pacing.BUCKETS_PER_WINDOW; b++) {
        assertThat(pacing.capacity(b)).isNotNegative();
        sum += pacing.capacity(b);
      }
      assertThat(sum).as("buckets %d..%d", first, first + Pacing.BUCKETS_PER_WINDOW - 1).isEqualTo(perMinute);
    }
  }

  @Test
  void theDocumentedGetLimitIsPacedJustUnderIt() {
    Pacing pacing = new Pacing(270);
    assertThat(pacing.pacedPerMinute()).isEqualTo(261);
    assertThat(pacing.perSecond()).isBetween(4.35, 4.36);
  }
}
