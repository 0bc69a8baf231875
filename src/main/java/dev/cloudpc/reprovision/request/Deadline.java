package dev.cloudpc.reprovision.request;

import java.time.Duration;

/** The instant by which a request must be answered; every wait and retry inside the request fits within it. */
public record Deadline(long expiresAtNanos) {

  public static Deadline in(Duration budget) {
    return new Deadline(System.nanoTime() + budget.toNanos());
  }

  public long remainingMillis() {
    return Math.max(0, (expiresAtNanos - System.nanoTime()) / 1_000_000);
  }

  public boolean allows(Duration wait) {
    return remainingMillis() > wait.toMillis();
  }

  public boolean expired() {
    return remainingMillis() == 0;
  }
}
