package dev.cloudpc.reprovision.budget;

/**
 * How one limit's requests are spread over time: the timeline is cut into one-second buckets, and bucket {@code b}
 * may carry {@code floor((b+1)·N/K) − floor(b·N/K)} requests for a limit of N per 60 seconds. Any K consecutive
 * buckets then carry exactly N, and any 60-second window touches at most K = 62 buckets when sends may land up to a
 * second later than planned (network, clocks) — so however the buckets are shared out among instances, no 60 seconds
 * as Graph counts them see more than N. The price: a steady rate of N·60/62 per minute (96.8 % of the limit).
 */
record Pacing(int perMinute) {
  /** 60 one-second buckets of the window, one for the window's ragged edge and one of slack for late sends. */
  static final int BUCKETS_PER_WINDOW = 62;

  Pacing {
    if (perMinute < 1) {
      throw new IllegalArgumentException("a limit must allow at least one request per minute");
    }
  }

  /** Requests bucket {@code bucket} (epoch second) may carry. */
  int capacity(long bucket) {
    return (int) (Math.floorDiv((bucket + 1) * perMinute, BUCKETS_PER_WINDOW)
        - Math.floorDiv(bucket * perMinute, BUCKETS_PER_WINDOW));
  }

  /** The steady rate the buckets allow. */
  double perSecond() {
    return (double) perMinute / BUCKETS_PER_WINDOW;
  }

  /** Whole requests per minute at that rate (for health). */
  int pacedPerMinute() {
    return (int) Math.floor(perSecond() * 60);
  }

  static long bucketOf(long epochMillis) {
    return Math.floorDiv(epochMillis, 1000);
  }

  static long startOf(long bucket) {
    return bucket * 1000;
  }
}
