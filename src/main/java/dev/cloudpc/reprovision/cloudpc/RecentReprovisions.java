package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.store.SettledEntry;
import dev.cloudpc.reprovision.store.SharedStore.Entry;
import dev.cloudpc.reprovision.store.SharedStore.Key;
import dev.cloudpc.reprovision.store.SharedStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per Cloud PC: the reprovision in flight, and for two minutes after it the answer it got, so that repeats join it
 * instead of posting again. Two layers: this instance's memory of the requests in flight (concurrent requests here
 * join one Future, so the shared store is asked once per PC per instance), then the {@link SharedStore} every instance
 * uses — a claim written before the POST (insert-if-absent), replaced by the outcome after it (If-Match), or deleted
 * when Graph said it did not act. Only the store remembers answers: the in-flight Future is let go once the outcome is
 * recorded, so this instance's heap holds no per-reprovision state beyond the requests running (a 128 MiB heap filled
 * with two minutes of remembered outcomes otherwise; docs/performance.md). A store that cannot be reached fails the
 * request closed (503) before anything is sent. A claim another instance holds is waited for: its recorded outcome is
 * this request's answer, read again with growing pauses within the request's deadline ({@link SettledEntry}); past the
 * deadline the answer is 503 with Retry-After — never a 409, which Logic Apps and Power Automate do not retry although
 * the other instance's answer is moments away. Stored: the state, Graph's request-id, the acceptance time or the
 * ambiguous problem — never a token.
 */
final class RecentReprovisions {
  private static final Logger LOG = LoggerFactory.getLogger(RecentReprovisions.class);
  static final Duration REMEMBER = Duration.ofMinutes(2);
  private static final String KIND = "reprovision";
  private static final String SENDING = "sending";
  private static final String ACCEPTED = "accepted";
  private static final String AMBIGUOUS = "ambiguous";
  private static final long IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

  private final SharedStore store;
  private final ConcurrentHashMap<String, Future<ReprovisionOutcome>> inFlight = new ConcurrentHashMap<>();

  RecentReprovisions(SharedStore store) {
    this.store = store;
  }

  /** The reprovision in flight for the PC on this instance, if any. */
  Future<ReprovisionOutcome> find(String cloudPcId) {
    return inFlight.get(cloudPcId);
  }

  /**
   * Runs {@code send} unless this PC was claimed recently, here or on another instance; then the earlier outcome
   * (as a duplicate) or its ambiguous failure is the answer — waited for within {@code deadline} while the other
   * request is still sending.
   */
  Future<ReprovisionOutcome> once(ReprovisionTarget target, Deadline deadline,
                                  Supplier<Future<ReprovisionOutcome>> send, Predicate<Throwable> mayHaveActed) {
    String id = target.cloudPcId();
    Promise<ReprovisionOutcome> promise = Promise.promise();
    Future<ReprovisionOutcome> other = inFlight.putIfAbsent(id, promise.future());
    if (other != null) {
      return other.map(ReprovisionOutcome::asDuplicate);
    }
    claim(new Key(KIND, id), target, deadline, send, mayHaveActed).onComplete(ar -> {
      // The store holds the outcome by now (or still the claim, if recording it failed): repeats ask it.
      inFlight.remove(id, promise.future());
      promise.handle(ar);
    });
    return promise.future();
  }

  /** Claims the PC and sends, or answers with what the claim's holder records; a claim freed meanwhile is retried. */
  private Future<ReprovisionOutcome> claim(Key key, ReprovisionTarget target, Deadline deadline,
                                           Supplier<Future<ReprovisionOutcome>> send,
                                           Predicate<Throwable> mayHaveActed) {
    return Future.succeededFuture().compose(v -> store.insertIfAbsent(key, new JsonObject().put("state", SENDING),
            Instant.now().plus(REMEMBER)))
        .compose(insert -> insert.inserted() ? sendAndRecord(key, insert.entry(), send, mayHaveActed)
            : settled(key, insert.entry(), target, deadline)
                // Gone: Graph did not act (429, 503, 4xx) or the holder died and its claim expired — try again.
                .compose(outcome -> outcome != null ? Future.succeededFuture(outcome)
                    : claim(key, target, deadline, send, mayHaveActed)));
  }

  /**
   * What a request recorded for this PC in the last minutes (on any instance) as this request's answer — already
   * running, or the ambiguous failure, waited for within {@code deadline} while that request is still sending — or
   * {@code otherwise} when nothing is recorded or the store cannot say.
   */
  Future<ReprovisionOutcome> recordedOr(ReprovisionTarget target, Deadline deadline,
                                        Supplier<Future<ReprovisionOutcome>> otherwise) {
    Key key = new Key(KIND, target.cloudPcId());
    return store.find(key).otherwiseEmpty()
        .compose(entry -> entry == null ? Future.succeededFuture() : settled(key, entry, target, deadline))
        .compose(outcome -> outcome != null ? Future.succeededFuture(outcome) : otherwise.get());
  }

  /** The outcome the entry records, once it records one; null when the entry vanished before. */
  private Future<ReprovisionOutcome> settled(Key key, Entry entry, ReprovisionTarget target, Deadline deadline) {
    Future<Entry> outcome = recorded(entry.value()) ? Future.succeededFuture(entry)
        : SettledEntry.await(store, key, RecentReprovisions::recorded, deadline, () -> stillSending(target));
    return outcome.compose(settled -> settled == null ? Future.succeededFuture() : earlier(target, settled.value()));
  }

  private static boolean recorded(JsonObject record) {
    return ACCEPTED.equals(record.getString("state")) || AMBIGUOUS.equals(record.getString("state"));
  }

  private static RuntimeException stillSending(ReprovisionTarget target) {
    return Problem.unavailable("reprovision-in-flight", "Another request is sending a reprovision of Cloud PC "
        + target.cloudPcId() + " to Graph, and Graph's answer to it had not arrived by this request's deadline; "
        + "nothing was sent for this one. Ask again in a few seconds to get that reprovision's answer.",
        IN_FLIGHT_RETRY_AFTER_SECONDS).exception();
  }

  /** Sends, then records what happened; the caller gets Graph's answer even if the record cannot be written. */
  private Future<ReprovisionOutcome> sendAndRecord(Key key, Entry claim, Supplier<Future<ReprovisionOutcome>> send,
                                                   Predicate<Throwable> mayHaveActed) {
    Future<ReprovisionOutcome> sent = Future.succeededFuture().compose(v -> send.get());
    return sent.transform(done -> {
      Instant forgetAt = Instant.now().plus(REMEMBER);
      Future<?> record;
      if (done.succeeded()) {
        ReprovisionOutcome outcome = done.result();
        record = store.replace(key, claim.etag(), new JsonObject().put("state", ACCEPTED)
            .put("graphRequestId", outcome.graphRequestId()).put("acceptedAt", outcome.acceptedAt().toString()),
            forgetAt);
      } else if (mayHaveActed.test(done.cause())) {
        record = store.replace(key, claim.etag(), new JsonObject().put("state", AMBIGUOUS)
            .put("problem", problemJson(done.cause())), forgetAt);
      } else {
        record = store.delete(key, claim.etag());
      }
      // Unrecorded, the claim itself stays until it expires: other instances keep refusing, which is the safe side.
      return record.transform(written -> {
        if (written.failed()) {
          LOG.warn("could not record the reprovision outcome of Cloud PC {}: {}", key.id(),
              written.cause().getMessage());
        }
        return sent;
      });
    });
  }

  /** What another request recorded for this PC (accepted or ambiguous), as this request's answer. */
  private static Future<ReprovisionOutcome> earlier(ReprovisionTarget target, JsonObject record) {
    return ACCEPTED.equals(record.getString("state"))
        ? Future.succeededFuture(new ReprovisionOutcome(ReprovisionOutcome.Kind.ALREADY_RUNNING, target,
            record.getString("graphRequestId"), Instant.parse(record.getString("acceptedAt")), null))
        : Future.failedFuture(problem(record.getJsonObject("problem")).exception());
  }

  private static JsonObject problemJson(Throwable failure) {
    Problem p = failure instanceof ProblemException e ? e.problem()
        : Problem.of(502, "graph-connection-lost", "Bad gateway", "The reprovision failed in a way that leaves open "
            + "whether Graph acted; check the Cloud PC's status before trying again.");
    return new JsonObject().put("status", p.status()).put("slug", p.slug()).put("title", p.title())
        .put("detail", p.detail()).put("extensions", p.extensions()).put("headers", new JsonObject(
            new HashMap<>(p.headers())));
  }

  private static Problem problem(JsonObject json) {
    Map<String, String> headers = new HashMap<>();
    json.getJsonObject("headers", new JsonObject()).forEach(h -> headers.put(h.getKey(), String.valueOf(h.getValue())));
    return new Problem(json.getInteger("status"), json.getString("slug"), json.getString("title"),
        json.getString("detail"), json.getJsonObject("extensions"), headers);
  }
}
