package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link RequestScopeHandler} and {@link FunctionKeyGate} need: a request's time budget, and the function key
 * the local host checks (none: no key check).
 */
public record RequestOptions(Duration deadline, Optional<Secret> functionKey) {

  public static RequestOptions from(Settings settings) {
    return new RequestOptions(settings.requestDeadline(), settings.functionKey());
  }
}
