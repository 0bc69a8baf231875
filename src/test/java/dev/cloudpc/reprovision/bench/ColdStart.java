package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Cold start as a serverless instance sees it: process launch to the first 202 of a reprovision (JVM start, settings,
 * router, signing keys, Graph token, three Graph calls, all classes loaded for the first time), a fresh process each
 * time, median of the launches.
 */
final class ColdStart {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private ColdStart() {
  }

  static JsonObject measure(int launches, Path jar, List<String> jvmOptions, Map<String, String> env, Targets targets,
                            Path logDir) {
    double[] toReady = new double[launches];
    double[] toFirst202 = new double[launches];
    for (int i = 0; i < launches; i++) {
      try (ProductProcess product = ProductProcess.launch(jar, jvmOptions, env,
          logDir.resolve("product-cold-" + i + ".log"))) {
        toReady[i] = product.awaitReady(LIMIT) / 1e6;
        if (!Await.result(targets.reprovision(product.port()), LIMIT)) {
          throw new IllegalStateException("cold start " + i + ": the first reprovision was not answered 202");
        }
        toFirst202[i] = (System.nanoTime() - product.launchedNanos()) / 1e6;
      }
    }
    return new JsonObject()
        .put("launches", launches)
        .put("launchToReadyMs", rounded(toReady))
        .put("launchToFirst202Ms", rounded(toFirst202))
        .put("medianLaunchToReadyMs", Report.round(median(toReady)))
        .put("medianLaunchToFirst202Ms", Report.round(median(toFirst202)));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static JsonArray rounded(double[] values) {
    JsonArray array = new JsonArray();
    for (double value : values) {
      array.add(Report.round(value));
    }
    return array;
  }
}
