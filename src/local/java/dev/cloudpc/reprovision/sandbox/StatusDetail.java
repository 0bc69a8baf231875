package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Graph's {@code cloudPcStatusDetail}: why a Cloud PC (or a remote action) failed. */
public record StatusDetail(String code, String message) {

  JsonObject toJson() {
    return new JsonObject().put("code", code).put("message", message).put("additionalInformation", new JsonArray());
  }
}
