package dev.cloudpc.reprovision.sandbox;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Graph's Windows 365 throttling as Microsoft documents it (concepts/includes/throttling-windows-365.md; the general
 * guidance in concepts/throttling.md): per request type, a count over the last 60 seconds per app or user and per
 * tenant; past a limit the answer is 429 {@code TooManyRequests} with {@code Retry-After}. Every request, a throttled
 * one too, accrues against the limits ("all requests accrue"), so a client that ignores Retry-After stays throttled.
 */
final class GraphThrottle {
  static final Duration WINDOW = Duration.ofSeconds(60);

  /** The two request types Microsoft lists. */
  enum Kind {
    GET_CLOUD_PC("Get Cloud PC"), LIST_CLOUD_PCS("List Cloud PCs");

    final String documentedName;

    Kind(String documentedName) {
      this.documentedName = documentedName;
    }
  }

  private static final String OWNER = "/(beta|v1\\.0)/(deviceManagement/virtualEndpoint|me|users/[^/]+)/cloudPCs";
  private static final Pattern LIST = Pattern.compile(OWNER + "/?", Pattern.CASE_INSENSITIVE);
  private static final Pattern GET = Pattern.compile(OWNER + "/[^/]+(/[^/]*)?", Pattern.CASE_INSENSITIVE);

  /** A verdict: allowed, or refused with the seconds to wait. */
  record Verdict(boolean allowed, long retryAfterSeconds, String message) {
  }

  private final Map<String, Deque<Long>> windows = new ConcurrentHashMap<>();
  private final AtomicLong throttled = new AtomicLong();
  private volatile GraphLimits limits;

  GraphThrottle(GraphLimits limits) {
    this.limits = limits;
  }

  void limits(GraphLimits value) {
    limits = value;
    windows.clear();
  }

  GraphLimits limits() {
    return limits;
  }

  long throttledCount() {
    return throttled.get();
  }

  void reset() {
    windows.clear();
    throttled.set(0);
  }

  /**
   * Which documented type a request is: a GET of a cloudPCs collection lists; a GET of one Cloud PC, or of a function
   * on it (remote-action results, supported actions), is counted as a Get — the strict reading. Others are not limited
   * here.
   */
  static Optional<Kind> classify(String method, String path) {
    if (!"GET".equals(method)) {
      return Optional.empty();
    }
    if (LIST.matcher(path).matches()) {
      return Optional.of(Kind.LIST_CLOUD_PCS);
    }
    return GET.matcher(path).matches() ? Optional.of(Kind.GET_CLOUD_PC) : Optional.empty();
  }

  /** Counts the request against its app's (or user's) and the tenant's window and says whether Graph serves it. */
  Verdict admit(String method, String path, String caller, long nowNanos) {
    Optional<Kind> kind = classify(method, path);
    if (kind.isEmpty()) {
      return new Verdict(true, 0, null);
    }
    GraphLimits current = limits;
    boolean get = kind.get() == Kind.GET_CLOUD_PC;
    long callerWait = count(kind.get() + "|" + caller, get ? current.getPerApp() : current.listPerApp(), nowNanos);
    long tenantWait = count(kind.get() + "|tenant", get ? current.getPerTenant() : current.listPerTenant(), nowNanos);
    long wait = Math.max(callerWait, tenantWait);
    if (wait == 0) {
      return new Verdict(true, 0, null);
    }
    throttled.incrementAndGet();
    String which = callerWait >= tenantWait
        ? (get ? current.getPerApp() : current.listPerApp()) + " requests per 60 seconds per app or user"
        : (get ? current.getPerTenant() : current.listPerTenant()) + " requests per 60 seconds per tenant";
    return new Verdict(false, wait, "Too many requests: " + kind.get().documentedName + " is limited to " + which
        + ". Retry after " + wait + " seconds.");
  }

  /** Records the request; 0 when it is within {@code limit}, else the whole seconds until the window has room. */
  private long count(String key, int limit, long nowNanos) {
    Deque<Long> window = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (window) {
      long horizon = nowNanos - WINDOW.toNanos();
      while (!window.isEmpty() && window.peekFirst() <= horizon) {
        window.pollFirst();
      }
      long wait = 0;
      if (window.size() >= limit) {
        int mustExpire = window.size() - limit;
        long at = window.stream().skip(mustExpire).findFirst().orElseThrow();
        wait = Math.max(1, (at + WINDOW.toNanos() - nowNanos + 999_999_999L) / 1_000_000_000L);
      }
      window.addLast(nowNanos);
      return wait;
    }
  }
}
