package dev.cloudpc.reprovision.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test moves by hand, so that expiries and intervals are reached without waiting. Thread-safe. */
public final class TestClock extends Clock {
  private volatile Instant now;

  public TestClock(Instant start) {
    this.now = start;
  }

  /** Starts at the real time: tokens from a real endpoint carry real expiry times. */
  public static TestClock atRealTime() {
    return new TestClock(Instant.now());
  }

  public void advance(Duration by) {
    now = now.plus(by);
  }

  /** Moves to {@code at}, which must not lie in this clock's past. */
  public void moveTo(Instant at) {
    if (at.isBefore(now)) {
      throw new IllegalArgumentException("a test clock does not go back: " + at + " is before " + now);
    }
    now = at;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a test clock is UTC");
  }
}
