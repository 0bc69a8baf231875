package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.config.Settings;
import java.time.Duration;

/** What {@link BulkHandlers} needs: how many Cloud PCs one bulk request may name, and the polling hint it answers. */
public record BulkOptions(int maxPcs, Duration pollRetryAfter) {

  public static BulkOptions from(Settings settings) {
    return new BulkOptions(settings.bulkMaxPcs(), settings.pollRetryAfter());
  }
}
