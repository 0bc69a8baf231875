package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.config.Settings;

/** What {@link BulkHandlers} needs from the settings: how many Cloud PCs one bulk request may name. */
public record BulkOptions(int maxPcs) {

  public static BulkOptions from(Settings settings) {
    return new BulkOptions(settings.bulkMaxPcs());
  }
}
