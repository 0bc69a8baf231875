package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The wave's headline figures against its targets, one group of rows per instance count. */
final class WaveRows {
  private static final Set<String> CALLER_STATUSES = Set.of("200", "202", "422", "429", "503");

  private WaveRows() {
  }

  static void add(Report report, WaveSettings wave, JsonObject run) {
    String on = " (wave, " + run.getInteger("instances") + " instance" + (run.getInteger("instances") > 1
        ? "s sharing storage)" : ")");
    JsonObject rebuilt = run.getJsonObject("cloudPcsRebuilt");
    report.check("every Cloud PC reprovisioned exactly once" + on, rebuilt.encode(),
        "{\"1x\":" + wave.pcs() + "}", rebuilt.equals(new JsonObject().put("1x", wave.pcs())));
    double throttled = run.getDouble("throttledShare");
    report.check("Graph requests throttled" + on, Report.format("%.2f %% (%d of %d)", 100 * throttled,
        run.getLong("throttledByGraph"), run.getInteger("graphRequests")), "≤ 1 %", throttled <= 0.01);
    double seconds = run.getDouble("seconds");
    boolean stopped = run.getBoolean("stoppedAtLimit");
    report.check("wave done" + on, stopped ? Report.format("not done: stopped after %.0f s with %d of %d flows "
            + "finished", seconds, run.getInteger("flowsFinished"), wave.pcs())
            : Report.format("%.1f s (budget floor %.0f s)", seconds, wave.budgetFloor().toMillis() / 1000.0),
        Report.format("≤ %.0f s", wave.target().toMillis() / 1000.0),
        !stopped && seconds * 1000 <= wave.target().toMillis());
    double perPc = run.getDouble("graphRequestsPerCloudPc");
    report.check("Graph requests per Cloud PC, polls included" + on, Report.format("%.2f %s", perPc,
        run.getJsonObject("graphRequestsByKind").encode()), "≤ 3", perPc <= 3);
    JsonObject flows = run.getJsonObject("flows");
    JsonObject seen = flows.getJsonObject("answersSeen");
    boolean onlyDocumented = CALLER_STATUSES.containsAll(seen.fieldNames())
        && flows.getInteger("answersWithoutRetryAfter") == 0;
    report.check("what flows saw" + on, seen.encode() + ", without Retry-After: "
        + flows.getInteger("answersWithoutRetryAfter"), "200/202/422, 429/503 with Retry-After", onlyDocumented);
    report.info("reprovisions per minute" + on, Report.format("%.1f", run.getDouble("reprovisionsPerMinute")));
  }
}
