package dev.cloudpc.reprovision.cloudpc;

import io.vertx.core.json.JsonObject;

/** One Cloud PC's line in a bulk answer. */
public record PcResult(String cloudPcId, String result, int status, String graphRequestId, String detail,
                       String statusUrl) {

  /** The PC is now being (or already was being) reprovisioned: a bulk poll follows it. */
  public boolean underWay() {
    return result.equals("accepted") || result.equals("alreadyRunning");
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("cloudPcId", cloudPcId).put("result", result).put("status", status);
    if (graphRequestId != null) {
      json.put("graphRequestId", graphRequestId);
    }
    if (detail != null) {
      json.put("detail", detail);
    }
    if (statusUrl != null) {
      json.put("statusUrl", statusUrl);
    }
    return json;
  }
}
