package dev.cloudpc.reprovision.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** A misbehaviour the fake Graph can be told to show for matching requests (see {@link FaultPlan}). */
public sealed interface Fault permits Fault.StatusFault, Fault.ResetFault, Fault.DelayFault {

  /**
   * Answer with Graph's error JSON and this status.
   *
   * @param executeFirst run the request's real effect first (a 500 after the reprovision happened), or not at all
   */
  record StatusFault(int status, String code, Map<String, String> headers, boolean executeFirst) implements Fault {
    public StatusFault {
      Objects.requireNonNull(code, "code");
      headers = Map.copyOf(headers);
    }
  }

  /** Read the whole request, then close the connection without answering. */
  record ResetFault(boolean executeFirst) implements Fault {
  }

  /** Execute at once, answer normally after the delay (so a client deadline may expire after the effect). */
  record DelayFault(Duration delay) implements Fault {
    public DelayFault {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative");
      }
    }
  }

  /** E.g. {@code status(429, "TooManyRequests", Map.of("Retry-After", "1"))}; the request has no effect. */
  static Fault status(int status, String code, Map<String, String> headers) {
    return new StatusFault(status, code, headers, false);
  }

  static Fault status(int status, String code) {
    return status(status, code, Map.of());
  }

  /** The request takes effect, yet the client sees an error: it must not assume nothing happened. */
  static Fault executeThenStatus(int status, String code) {
    return new StatusFault(status, code, Map.of(), true);
  }

  static Fault reset() {
    return new ResetFault(false);
  }

  static Fault executeThenReset() {
    return new ResetFault(true);
  }

  static Fault delay(Duration delay) {
    return new DelayFault(delay);
  }
}
