package dev.cloudpc.reprovision.view;

import dev.cloudpc.reprovision.budget.AppBudget;
import dev.cloudpc.reprovision.cloudpc.CloudPc;
import dev.cloudpc.reprovision.cloudpc.CloudPcDirectory;
import dev.cloudpc.reprovision.cloudpc.CloudPcSource;
import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphLimit;
import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.telemetry.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short-lived view of the Cloud PCs being polled, so that status reads and polls of many PCs under way do not cost
 * a Get Cloud PC each (the budget decisions need). The view is refreshed on demand with paged List Cloud PCs reads of
 * the tenant ({@code $select} with {@code lastRemoteActionResult}; Microsoft documents no {@code $filter} that picks
 * "these ids" or "under way", so a refresh reads every page) and keeps the PCs someone asked about (and, until the next
 * refresh, a bounded number of the others, so that a poll arriving just after its page finds it). It spends at
 * most half of the List budget, so a refresh of P pages may start every {@code P · 60 s / (limit / 2)} (at least
 * {@link #MIN_INTERVAL}); flows are told to poll no faster than that once many PCs are followed ({@link #pollInterval}).
 *
 * <p>A read is answered from the view only with what Graph showed at or after the time the caller needs (an operation
 * needs a read after its acceptance); otherwise it waits for the refresh that brings its PC, within its deadline, and
 * falls back to one Get when the view cannot bring it (not in the tenant's list, the refresh failed, too late). When
 * the Get budget is idle, a PC the view does not hold is simply read: the view pays off under load, not for one poll.
 * Each answer counts in {@link Metrics#POLL_ANSWERS} as {@code view} or {@code graph}.
 */
public final class PollView implements CloudPcSource {
  private static final Logger LOG = LoggerFactory.getLogger(PollView.class);
  static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
  private static final Duration FORGET_AFTER = Duration.ofMinutes(10);
  private static final Duration REFRESH_LIMIT = Duration.ofMinutes(10);
  /** Left of a caller's deadline for the fallback Get when the view has not brought its PC. */
  private static final long FALLBACK_RESERVE_MS = 3_000;
  /** The longest a read waits for the view before it reads the PC itself (a large tenant's refresh takes longer). */
  private static final long VIEW_WAIT_MS = 20_000;
  private static final int MAX_TRACKED = 20_000;
  /** Listed PCs nobody asked about are kept from one refresh to the next, so a poll just after it finds its PC. */
  private static final int MAX_UNASKED = 5_000;
  private static final String VIEW = "view";
  private static final String GRAPH = "graph";

  private final Vertx vertx;
  private final CloudPcDirectory directory;
  private final AppBudget budget;
  private final ViewOptions options;
  private final Metrics metrics;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  /** The PCs someone asked about (those the view follows) and when they last were. */
  private final Map<String, Long> asked = new ConcurrentHashMap<>();
  private Future<Void> refreshing;
  private long lastStartMillis;
  private int lastPages = 1;
  private long startTimer = -1;

  /** A PC of the view: what it last saw of it, and who waits for a newer sight. */
  private static final class Tracked {
    volatile CloudPc seen;
    final List<Waiter> waiters = new ArrayList<>();
  }

  private record Waiter(Instant notBefore, Promise<CloudPc> promise) {
  }

  public PollView(Vertx vertx, CloudPcDirectory directory, AppBudget budget, ViewOptions options, Metrics metrics) {
    this.vertx = vertx;
    this.directory = directory;
    this.budget = budget;
    this.options = options;
    this.metrics = metrics;
  }

  /**
   * The Retry-After for 202 answers: never less than the setting, and growing with the PCs being followed — while few
   * are, the idle Get budget can read each at every poll (a quarter of it at most); once many are, no faster than the
   * view renews, since a poll before that would get the same answer.
   */
  public Duration pollInterval() {
    long byGets = (long) Math.ceil(asked.size() * 60_000.0 / Math.max(1, options.getPerMinute() / 4.0));
    long paced = Math.min(byGets, interval().toMillis());
    // Whole seconds, rounded up: Retry-After counts seconds, and rounding down would ask for polls too early.
    Duration seconds = Duration.ofSeconds((paced + 999) / 1000);
    return seconds.compareTo(options.pollRetryAfter()) > 0 ? seconds : options.pollRetryAfter();
  }

  /** How many PCs the view follows now (asked about in the last minutes). */
  public int followedCount() {
    return asked.size();
  }

  @Override
  public Future<CloudPc> cloudPc(String cloudPcId, Instant notBefore, RequestScope scope) {
    long now = System.currentTimeMillis();
    Tracked entry = track(cloudPcId, now);
    if (entry == null) {
      metrics.pollAnswer(GRAPH);
      return directory.cloudPc(cloudPcId, notBefore, scope); // the view is full: read it
    }
    CloudPc seen = entry.seen;
    Instant needed = newest(notBefore, Instant.ofEpochMilli(now).minus(maxAge()));
    if (seen != null && !seen.readAt().isBefore(needed)) {
      refreshIfDue(now);
      metrics.pollAnswer(VIEW);
      return Future.succeededFuture(seen);
    }
    if (budget.idle(GraphLimit.GET_CLOUD_PC)) {
      metrics.pollAnswer(GRAPH);
      return directory.cloudPc(cloudPcId, notBefore, scope).onSuccess(pc -> saw(entry, pc));
    }
    return fromNextRefresh(cloudPcId, entry, needed, scope);
  }

  /** Waits for a refresh to show the PC as read at or after {@code needed}; otherwise one Get. */
  private Future<CloudPc> fromNextRefresh(String cloudPcId, Tracked entry, Instant needed, RequestScope scope) {
    Promise<CloudPc> seen = Promise.promise();
    synchronized (entry) {
      CloudPc meanwhile = entry.seen; // a refresh may have brought it since it was looked at
      if (meanwhile != null && !meanwhile.readAt().isBefore(needed)) {
        return Future.succeededFuture(meanwhile);
      }
      entry.waiters.add(new Waiter(needed, seen));
    }
    long wait = Math.min(VIEW_WAIT_MS, scope.deadline().remainingMillis() - FALLBACK_RESERVE_MS);
    if (wait <= 0) {
      seen.tryFail("no time to wait for the view");
    } else {
      long timer = vertx.setTimer(wait, id -> seen.tryFail("the view did not bring it in time"));
      seen.future().onComplete(done -> vertx.cancelTimer(timer));
    }
    requestRefresh(System.currentTimeMillis());
    return seen.future().onSuccess(pc -> metrics.pollAnswer(VIEW)).recover(notInView -> {
      metrics.pollAnswer(GRAPH);
      return directory.cloudPc(cloudPcId, needed, scope).onSuccess(pc -> saw(entry, pc));
    });
  }

  private Tracked track(String cloudPcId, long now) {
    Tracked entry = tracked.get(cloudPcId);
    if (entry == null) {
      if (tracked.size() >= MAX_TRACKED + MAX_UNASKED) {
        return null;
      }
      entry = tracked.computeIfAbsent(cloudPcId, id -> new Tracked());
    }
    asked.put(cloudPcId, now);
    return entry;
  }

  /** Records a sight of the PC and hands it to everyone it satisfies. */
  private void saw(Tracked entry, CloudPc pc) {
    List<Waiter> satisfied = new ArrayList<>();
    synchronized (entry) {
      if (entry.seen == null || !pc.readAt().isBefore(entry.seen.readAt())) {
        entry.seen = pc;
      }
      entry.waiters.removeIf(w -> {
        boolean enough = !pc.readAt().isBefore(w.notBefore());
        if (enough) {
          satisfied.add(w);
        }
        return enough;
      });
    }
    satisfied.forEach(w -> w.promise().tryComplete(pc));
  }

  private void refreshIfDue(long now) {
    synchronized (this) {
      if (refreshing == null && now - lastStartMillis >= interval().toMillis()) {
        start(now);
      }
    }
  }

  /** Starts a refresh now if the interval allows, else at the end of it; joins one under way. */
  private void requestRefresh(long now) {
    synchronized (this) {
      if (refreshing != null || startTimer >= 0) {
        return;
      }
      long due = lastStartMillis + interval().toMillis();
      if (now >= due) {
        start(now);
      } else {
        startTimer = vertx.setTimer(due - now, id -> {
          synchronized (this) {
            startTimer = -1;
            if (refreshing == null) {
              start(System.currentTimeMillis());
            }
          }
        });
      }
    }
  }

  /** Under this object's lock: one refresh at a time, page after page, each taking its List Cloud PCs turn. */
  private void start(long now) {
    lastStartMillis = now;
    forgetUnasked(now);
    RequestScope scope = new RequestScope(UUID.randomUUID().toString(), null, null, Deadline.in(REFRESH_LIMIT),
        "", null, false);
    Set<String> listed = ConcurrentHashMap.newKeySet();
    int[] pages = {0};
    Future<Void> run = page(Optional.empty(), scope, pages, listed);
    refreshing = run;
    run.onComplete(done -> ended(done.succeeded() ? null : done.cause(), pages[0], listed, scope));
  }

  /**
   * After a refresh: a waiter whose PC was not listed (or the refresh failed) reads it itself; one whose PC was
   * listed before it asked waits for the next refresh.
   */
  private void ended(Throwable failure, int pages, Set<String> listed, RequestScope scope) {
    if (failure != null) {
      LOG.warn("{} refreshing the Cloud PC view failed after {} pages: {}", scope.logTag(), pages,
          failure.getMessage());
    }
    synchronized (this) {
      refreshing = null;
      if (failure == null) {
        lastPages = Math.max(1, pages);
      }
    }
    List<Waiter> unlisted = new ArrayList<>();
    boolean again = false;
    for (Map.Entry<String, Tracked> e : tracked.entrySet()) {
      Tracked entry = e.getValue();
      synchronized (entry) {
        if (entry.waiters.isEmpty()) {
          continue;
        }
        if (failure == null && listed.contains(e.getKey())) {
          again = true;
        } else {
          unlisted.addAll(entry.waiters);
          entry.waiters.clear();
        }
      }
    }
    unlisted.forEach(w -> w.promise().tryFail("not brought by the view"));
    if (again) {
      requestRefresh(System.currentTimeMillis());
    }
  }

  private Future<Void> page(Optional<GraphCall> next, RequestScope scope, int[] pages, Set<String> listed) {
    return directory.tenantPage(next, scope).compose(page -> {
      pages[0]++;
      page.cloudPcs().forEach(pc -> {
        listed.add(pc.id());
        Tracked entry = tracked.get(pc.id());
        if (entry == null && tracked.size() < MAX_UNASKED) {
          entry = tracked.computeIfAbsent(pc.id(), id -> new Tracked());
        }
        if (entry != null) {
          saw(entry, pc);
        }
      });
      return page.next().map(call -> page(Optional.of(call), scope, pages, listed))
          .orElseGet(Future::succeededFuture);
    });
  }

  /**
   * Forgets PCs not asked about for a while; a PC only listed lives until the next refresh. Anyone still waiting asked
   * within a deadline (at most minutes): far less than FORGET_AFTER.
   */
  private void forgetUnasked(long now) {
    asked.values().removeIf(at -> now - at > FORGET_AFTER.toMillis());
    tracked.keySet().removeIf(id -> !asked.containsKey(id));
  }

  /** The least time between refresh starts: half the List budget for the pages the last refresh took. */
  private Duration interval() {
    int pages;
    synchronized (this) {
      pages = lastPages;
    }
    long millis = (long) Math.ceil(pages * 60_000.0 / (options.listPerMinute() / 2.0));
    return Duration.ofMillis(Math.max(MIN_INTERVAL.toMillis(), millis));
  }

  /** How old a sight may be and still answer a status read: one interval, plus one refresh's reading. */
  private Duration maxAge() {
    return interval().multipliedBy(2);
  }

  private static Instant newest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
