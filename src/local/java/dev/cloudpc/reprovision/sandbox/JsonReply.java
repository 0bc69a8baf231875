package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;

/** An identity endpoint's answer before it is written: status and JSON body. */
record JsonReply(int status, JsonObject body) {

  static JsonReply ok(JsonObject body) {
    return new JsonReply(200, body);
  }
}
