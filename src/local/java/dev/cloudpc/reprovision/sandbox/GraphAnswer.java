package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Graph answer before it is written, so faults can replace or drop it after the handler ran. */
record GraphAnswer(int status, Map<String, String> headers, String body) {

  /** What Graph sends on its JSON answers; clients must not insist on plain {@code application/json}. */
  static final String JSON = "application/json;odata.metadata=minimal;odata.streaming=true;"
      + "IEEE754Compatible=false;charset=utf-8";

  static GraphAnswer json(int status, JsonObject body) {
    return new GraphAnswer(status, Map.of("Content-Type", JSON), body.encode());
  }

  static GraphAnswer json(int status, JsonObject body, Map<String, String> extraHeaders) {
    Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
    headers.put("Content-Type", JSON);
    return new GraphAnswer(status, headers, body.encode());
  }

  static GraphAnswer noContent() {
    return new GraphAnswer(204, Map.of(), null);
  }
}
