package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The run's figures as JSON (every detail) and as a markdown table (headline figures against the targets). */
final class Report {

  /** One table row; {@code pass} is null for figures without a target. */
  record Row(String metric, String measured, String target, Boolean pass) {
    JsonObject toJson() {
      return new JsonObject().put("metric", metric).put("measured", measured).put("target", target)
          .put("result", result());
    }

    String result() {
      return pass == null ? "info" : pass ? "pass" : "MISS";
    }
  }

  private final JsonObject root = new JsonObject();
  private final List<Row> rows = new ArrayList<>();

  /** Three decimals; null (JSON null) for a figure that could not be measured. */
  static Double round(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) ? null : Math.round(value * 1000) / 1000.0;
  }

  static String format(String pattern, Object... values) {
    return String.format(Locale.ROOT, pattern, values);
  }

  void put(String section, Object value) {
    root.put(section, value);
  }

  void check(String metric, String measured, String target, boolean pass) {
    rows.add(new Row(metric, measured, target, pass));
  }

  void info(String metric, String measured) {
    rows.add(new Row(metric, measured, "", null));
  }

  void write(Path file) {
    JsonArray table = new JsonArray();
    rows.forEach(row -> table.add(row.toJson()));
    root.put("table", table);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, root.encodePrettily() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  String markdown() {
    StringBuilder out = new StringBuilder("| metric | measured | target | result |\n|---|---|---|---|\n");
    rows.forEach(row -> out.append("| ").append(row.metric()).append(" | ").append(row.measured()).append(" | ")
        .append(row.target().isEmpty() ? "—" : row.target()).append(" | ").append(row.result()).append(" |\n"));
    return out.toString();
  }
}
