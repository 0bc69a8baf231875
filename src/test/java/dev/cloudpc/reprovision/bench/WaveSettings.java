package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The wave: {@code pcs} flows started at once (a Power Automate "apply to each" over a department's Cloud PCs) with
 * {@code inFlight} running at a time, against a fake Graph that enforces Windows 365's documented limits, on one
 * product instance and then on {@code instances} sharing storage. Knobs: {@code -Dbench.wave.pcs},
 * {@code -Dbench.wave.inFlight}, {@code -Dbench.wave.rebuildSeconds}, {@code -Dbench.wave.pollRetryAfterSeconds},
 * {@code -Dbench.wave.instances} (e.g. "1,2"), {@code -Dbench.wave.limitSeconds} (a wave still running then is stopped
 * and reported as it stands; default 900).
 *
 * @param rebuild          how long the fake Graph takes to rebuild a PC (real rebuilds take far longer; the wave's
 *                         tail is rebuild time plus polling, the budget's part is the rest)
 * @param pollRetryAfter   POLL_RETRY_AFTER_SECONDS for the product: the least interval flows poll at
 * @param clientRetries    a flow's retries of a 429/503 (Logic Apps' default retry policy: four)
 */
record WaveSettings(int pcs, int inFlight, Duration rebuild, Duration graphLatency, Duration pollRetryAfter,
                    List<Integer> instances, int clientRetries, Duration limit) {

  static WaveSettings fromSystemProperties() {
    return new WaveSettings(Integer.getInteger("bench.wave.pcs", 540), Integer.getInteger("bench.wave.inFlight", 100),
        Duration.ofSeconds(Integer.getInteger("bench.wave.rebuildSeconds", 10)), Duration.ofMillis(100),
        Duration.ofSeconds(Integer.getInteger("bench.wave.pollRetryAfterSeconds", 10)),
        Arrays.stream(System.getProperty("bench.wave.instances", "1,2").split(",")).map(String::trim)
            .map(Integer::parseInt).toList(), 4,
        Duration.ofSeconds(Integer.getInteger("bench.wave.limitSeconds", 900)));
  }

  /**
   * The least time the budget allows: every Cloud PC needs one Get Cloud PC to be decided, and the app may send 270
   * per minute (microsoft-graph-docs-contrib concepts/includes/throttling-windows-365.md).
   */
  Duration budgetFloor() {
    return Duration.ofMillis((long) Math.ceil(pcs * 60_000.0 / 270));
  }

  /** The target for the whole wave: 1.25 × the floor + 30 s. */
  Duration target() {
    return Duration.ofMillis((long) (budgetFloor().toMillis() * 1.25) + 30_000);
  }

  JsonObject toJson() {
    return new JsonObject().put("pcs", pcs).put("inFlight", inFlight).put("rebuildSeconds", rebuild.toSeconds())
        .put("graphLatencyMs", graphLatency.toMillis()).put("pollRetryAfterSeconds", pollRetryAfter.toSeconds())
        .put("instances", instances).put("clientRetries", clientRetries).put("limitSeconds", limit.toSeconds())
        .put("budgetFloorSeconds", budgetFloor().toMillis() / 1000.0).put("targetSeconds", target().toMillis() / 1000.0);
  }
}
