package dev.cloudpc.reprovision.view;

import dev.cloudpc.reprovision.config.Settings;
import java.time.Duration;

/**
 * What {@link PollView} needs: the List Cloud PCs budget it may spend half of, the Get Cloud PC budget (whose idle
 * quarter may serve polls of a few PCs), and the least Retry-After flows are given (POLL_RETRY_AFTER_SECONDS).
 */
public record ViewOptions(int listPerMinute, int getPerMinute, Duration pollRetryAfter) {

  public static ViewOptions from(Settings settings) {
    return new ViewOptions(settings.graphListCloudPcsPerMinute(), settings.graphGetCloudPcPerMinute(),
        settings.pollRetryAfter());
  }
}
