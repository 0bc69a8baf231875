package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.store.SharedStore.Entry;
import dev.cloudpc.reprovision.store.SharedStore.Key;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for an entry another request — on any instance — is still working on (a claim, a pending answer) to settle:
 * reads it again after growing pauses (50 ms, doubling, at most 2 s; Vert.x timers on the caller's context, never a
 * busy loop) until its value is settled, it is gone, or the request's deadline would pass. Each read is one storage
 * transaction; a wait through a whole 100 s deadline costs about 55.
 */
public final class SettledEntry {
  private static final Duration FIRST_PAUSE = Duration.ofMillis(50);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(2);
  /** Left over after the last read, for the answer to reach the caller. */
  private static final Duration ANSWER_TIME = Duration.ofMillis(250);

  private SettledEntry() {
  }

  /**
   * @param settled  whether a value is final (an outcome rather than the other request's "working on it")
   * @param tooLate  the failure when the deadline comes first
   * @return the settled entry, or null when it vanished (deleted, or expired with its writer)
   */
  public static Future<Entry> await(SharedStore store, Key key, Predicate<JsonObject> settled, Deadline deadline,
                                    Supplier<RuntimeException> tooLate) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return Future.failedFuture(tooLate.get()); // requests run on an event loop; nothing else may wait here
    }
    return await(context, store, key, settled, deadline, tooLate, FIRST_PAUSE);
  }

  private static Future<Entry> await(Context context, SharedStore store, Key key, Predicate<JsonObject> settled,
                                     Deadline deadline, Supplier<RuntimeException> tooLate, Duration pause) {
    if (!deadline.allows(pause.plus(ANSWER_TIME))) {
      return Future.failedFuture(tooLate.get());
    }
    Duration next = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
    return context.owner().timer(pause.toMillis())
        .compose(fired -> store.find(key))
        .compose(entry -> entry == null || settled.test(entry.value()) ? Future.succeededFuture(entry)
            : await(context, store, key, settled, deadline, tooLate, next));
  }
}
