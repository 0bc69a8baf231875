package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** What one launched process (product, peer, product with a small heap) measured; phases fill what applies. */
final class SubjectRun {
  final String name;
  final JsonObject process = new JsonObject();
  final List<ProductRun.Concurrent> concurrent = new ArrayList<>();
  int roundTrips;
  ProductRun.Sequential sequential;
  JsonObject allocation;

  SubjectRun(String name) {
    this.name = name;
  }

  /** The phase at {@code concurrency}, or null when this process did not run it. */
  ProductRun.Concurrent at(int concurrency) {
    return concurrent.stream().filter(c -> c.window().phase().concurrency() == concurrency).findFirst().orElse(null);
  }

  JsonArray concurrencyJson() {
    JsonArray phases = new JsonArray();
    concurrent.forEach(c -> phases.add(c.toJson()));
    return phases;
  }

  JsonObject toJson() {
    return new JsonObject().put("name", name).put("criticalPathRoundTrips", roundTrips).put("process", process)
        .put("concurrency", concurrencyJson());
  }
}
