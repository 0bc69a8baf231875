package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;

/** The one failure every store operation reports: the shared state could not be read or written. */
public final class StoreUnavailable {
  static final long RETRY_AFTER_SECONDS = 10;

  private StoreUnavailable() {
  }

  static ProblemException because(String store, String why) {
    return Problem.unavailable("state-store-unavailable", "The shared state store (" + store + ") did not answer: "
            + why + ". Nothing was sent to Graph, so nothing was changed; try again in a few seconds. If it lasts, "
            + "check AzureWebJobsStorage and the storage account.", RETRY_AFTER_SECONDS)
        .exception();
  }
}
