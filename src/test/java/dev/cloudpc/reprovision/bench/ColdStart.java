package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.support.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Cold start as a serverless instance sees it: process launch to the first 202 of a reprovision (JVM start, settings,
 * router, signing keys, Graph token, the Graph calls, all classes loaded for the first time), a fresh process each
 * time, median of the launches; the peer likewise (token and its one Graph call).
 */
final class ColdStart {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private ColdStart() {
  }

  /**
   * Launches the subjects in turn ({@code launches} rounds: product, peer, product, …) so that both see the same
   * machine noise; one JSON object per subject, by name.
   */
  static JsonObject measure(int launches, List<Subject> subjects, Map<String, String> env, Targets targets,
                            Path logDir) {
    double[][] toReady = new double[subjects.size()][launches];
    double[][] toFirst2xx = new double[subjects.size()][launches];
    for (int i = 0; i < launches; i++) {
      for (int s = 0; s < subjects.size(); s++) {
        Subject subject = subjects.get(s);
        try (ProductProcess process = subject.launch(env, logDir.resolve(subject.name() + "-cold-" + i + ".log"))) {
          toReady[s][i] = process.awaitReady(LIMIT) / 1e6;
          if (!Await.await(targets.reprovision(process.port()), LIMIT)) {
            throw new IllegalStateException(subject.name() + " cold start " + i + ": the first reprovision was not "
                + "answered 202");
          }
          toFirst2xx[s][i] = (System.nanoTime() - process.launchedNanos()) / 1e6;
        }
      }
    }
    JsonObject all = new JsonObject();
    for (int s = 0; s < subjects.size(); s++) {
      all.put(subjects.get(s).name(), new JsonObject()
          .put("launches", launches)
          .put("launchToReadyMs", rounded(toReady[s]))
          .put("launchToFirst202Ms", rounded(toFirst2xx[s]))
          .put("medianLaunchToReadyMs", Report.round(median(toReady[s])))
          .put("medianLaunchToFirst202Ms", Report.round(median(toFirst2xx[s]))));
    }
    return all;
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
